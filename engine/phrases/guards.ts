/**
 * A phrase set's context guards (`unless:`): does a guard hold around a match, in its window,
 * sentence, post or thread? A guard's patterns run on the set's automaton, only where every word
 * they require occurs, and stop at the first match.
 */
import type { Automaton } from './automaton.js';
import type { Anchor } from './compile-patterns.js';
import { IdSets, IntList, PatternNeeds, postWords, rangeWords, type RangeWords } from './prefilter.js';
import type { PhraseContext } from './phrase-set.js';
import { insideQuotes } from './quotes.js';
import { StartPlan } from './start-plan.js';

/** A compiled guard pattern: its start state, its required words (`Guards.needs`), the words it can begin with. */
export interface GuardPattern {
  start: number;
  /** Its number in the guards' `PatternNeeds`: the words each of its required elements needs. */
  need: number;
  /** Its set in `Guards.firstSets` of the words a match can begin with; -1 when any word can begin it. */
  first: number;
}

export interface CompiledGuard {
  name: string;
  quoted: boolean;
  patterns: GuardPattern[];
  /** Patterns that, anywhere in the post, keep the guard from holding. */
  except: GuardPattern[];
  within: 'window' | 'sentence' | 'nearby' | 'post' | 'thread';
  before: number;
  after: number;
  /** `nearby`: how many sentences either side of the match's own the guard reads. */
  sentences: number;
  /**
   * Set by `freeze`: the number in `Guards.lists` of `patterns`' and of `except`'s trigger words (a
   * word of every pattern's rarest required element), -1 when some pattern requires no word.
   */
  trigger?: { patterns: number; except: number };
}

/** The scopes a guard's answer is cached for within one `find` (`Guards.cacheKey`). */
const SENTENCE = 0;
const POST = 1;
const THREAD = 2;
const EXCEPT = 3;
const NEARBY = 4;

/** The guards of one phrase set, by index (a compiled rule's `guards`). */
export class Guards {
  readonly list: CompiledGuard[] = [];
  /** The [token, start state] pairs of one run (scratch, single-threaded). */
  private readonly injections = new IntList();
  private readonly plan = new StartPlan();
  /**
   * Every guard pattern's required words in flat arrays, each distinct word list answered once per
   * range (guard patterns share slots: the TOS `warning` guard alone has 64 patterns).
   */
  private readonly needs = new PatternNeeds();
  private patternCount = 0;
  /**
   * Per pattern list of a guard (its `match`, its `except`): one requirement, the words of which a
   * range must hold one for any pattern of the list to match there (each pattern's trigger). A
   * range without one is answered without checking the list's patterns one by one (the TOS
   * `warning` guard has 64).
   */
  private readonly lists = new PatternNeeds();
  /** Per guard pattern (by `need`), built until `freeze`: its trigger, or undefined when it requires no word. */
  private triggers: (Anchor | undefined)[] = [];
  /** The first words of every guard pattern (`GuardPattern.first`). */
  private readonly firstSets = new IdSets();

  constructor(private readonly automaton: Automaton) {}

  /** A guard pattern starting at `start` that needs a word of each of `requirements`, the rarest of which is `trigger`. */
  pattern(start: number, requirements: readonly Anchor[], trigger: Anchor | undefined): GuardPattern {
    this.needs.add(requirements);
    this.triggers.push(trigger);
    return { start, need: this.patternCount++, first: -1 };
  }

  /** After the last guard pattern: the words each can begin with, and the flat requirement arrays. */
  freeze(): void {
    for (const guard of this.list) {
      for (const p of [...guard.patterns, ...guard.except]) {
        const first = this.automaton.firstWordsOf(p.start);
        p.first = first === null ? -1 : this.firstSets.add(first);
      }
    }
    this.firstSets.freeze();
    this.needs.freeze();
    let count = 0;
    const listOf = (patterns: readonly GuardPattern[]): number => {
      const ids: number[] = [];
      for (const p of patterns) {
        const trigger = this.triggers[p.need];
        if (trigger === undefined) return -1;
        ids.push(...trigger.ids);
      }
      this.lists.add([{ ids, cost: 0 }]);
      return count++;
    };
    for (const guard of this.list) guard.trigger = { patterns: listOf(guard.patterns), except: listOf(guard.except) };
    this.lists.freeze();
    this.triggers = [];
  }

  /**
   * Does guard `g` hold around the match `at`? `cache` keeps the answers of one `find` for the
   * wider scopes, keyed by `cacheKey`.
   */
  holds(
    g: number,
    ctx: PhraseContext,
    ids: readonly (readonly number[] | null)[],
    at: { from: number; to: number; t: number; end: number; sentence: number },
    cache: Map<number, boolean>,
  ): boolean {
    const guard = this.list[g]!;
    if (guard.quoted) return insideQuotes(ctx, at);
    const post = ctx.tokens.count;
    let inScope: boolean | undefined;
    switch (guard.within) {
      case 'window':
        inScope = this.occurs(guard.patterns, guard.trigger!.patterns, ids, Math.max(at.from, at.t - guard.before), Math.min(at.to, at.end + guard.after));
        break;
      case 'sentence': {
        const key = this.cacheKey(g, SENTENCE, at.sentence);
        inScope = cache.get(key);
        if (inScope === undefined) cache.set(key, (inScope = this.occurs(guard.patterns, guard.trigger!.patterns, ids, at.from, at.to)));
        break;
      }
      case 'nearby': {
        // A long post holds more than one topic: a "police report" further up than `sentences` does
        // not make "I'm going over there with the shotgun" a report, as a post-wide guard would.
        // Its range is stamped in `rangeWords` like a window's: `find` reads nothing of it after.
        const key = this.cacheKey(g, NEARBY, at.sentence);
        inScope = cache.get(key);
        if (inScope === undefined) {
          const starts = ctx.tokens.sentenceStart;
          const from = starts[Math.max(0, at.sentence - guard.sentences)]!;
          const to = starts[Math.min(starts.length - 1, at.sentence + 1 + guard.sentences)]!;
          cache.set(key, (inScope = this.occurs(guard.patterns, guard.trigger!.patterns, ids, from, to)));
        }
        break;
      }
      case 'post': {
        const key = this.cacheKey(g, POST, -1);
        inScope = cache.get(key);
        if (inScope === undefined) cache.set(key, (inScope = this.occurs(guard.patterns, guard.trigger!.patterns, ids, 0, post, postWords)));
        break;
      }
      case 'thread': {
        const key = this.cacheKey(g, THREAD, -1);
        inScope = cache.get(key);
        if (inScope === undefined) cache.set(key, (inScope = ctx.thread().some((postIds) => this.occurs(guard.patterns, guard.trigger!.patterns, postIds, 0, postIds.length, postWords))));
        break;
      }
    }
    if (!inScope) return false;
    if (guard.except.length === 0) return true;
    // An exception anywhere in the post ("irl" against a games guard) keeps the guard from holding.
    const key = this.cacheKey(g, EXCEPT, -1);
    let excepted = cache.get(key);
    if (excepted === undefined) cache.set(key, (excepted = this.occurs(guard.except, guard.trigger!.except, ids, 0, post, postWords)));
    return !excepted;
  }

  /** One number per (guard, scope, sentence): the scope in the low three bits, the sentence (or −1) above the guard. */
  private cacheKey(g: number, scope: number, sentence: number): number {
    return ((sentence + 1) * this.list.length + g) * 8 + scope;
  }

  /**
   * Does any of the patterns match somewhere inside tokens [from, to)? Only patterns whose
   * required words all occur in the range are run, in one pass with each start injected where it
   * can begin, stopping at the first match: a thread dropped because an earlier start holds the
   * same state has the same future, so no match is lost.
   */
  private occurs(
    patterns: readonly GuardPattern[],
    trigger: number,
    ids: readonly (readonly number[] | null)[],
    from: number,
    to: number,
    words: RangeWords = rangeWords,
  ): boolean {
    if (from >= to || patterns.length === 0) return false;
    // The range's words, stamped by `find` already when it is the match's sentence, or by an
    // earlier guard when it is the whole post (`postWords`).
    const gen = words.stamp(ids, from, to);
    const { present, distinct } = words;
    if (trigger >= 0 && !this.lists.allPresent(trigger, present, gen, distinct)) return false;
    let viable: GuardPattern[] | undefined;
    for (const p of patterns) if (this.needs.allPresent(p.need, present, gen, distinct)) (viable ??= []).push(p);
    if (!viable) return false;
    const { injections, plan } = this;
    plan.clear();
    for (const p of viable) plan.add(p.first, p.start);
    plan.inject(ids, from, to, this.firstSets, present, gen, injections);
    return injections.length > 0 && this.automaton.scan(ids, from, to, injections.items, injections.length, true).length > 0;
  }
}
