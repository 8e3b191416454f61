/**
 * A phrase set's context guards (`unless:`): does a guard hold around a match, in its window,
 * sentence, post or thread? A guard's patterns run on the set's automaton, only where every word
 * they require occurs, and stop at the first match.
 */
import type { Automaton } from './automaton.js';
import { allPresent, distinctIds, hasAny, IntList, type Requirement } from './prefilter.js';
import type { PhraseContext } from './phrase-set.js';
import { insideQuotes } from './quotes.js';

/** A compiled guard pattern: its start state, the words each required element needs, the words it can begin with. */
export interface GuardPattern {
  start: number;
  requirements: Requirement[];
  /** The words a match can begin with; null when any word can begin it. */
  first: ReadonlySet<number> | null;
}

export interface CompiledGuard {
  name: string;
  quoted: boolean;
  patterns: GuardPattern[];
  /** Patterns that, anywhere in the post, keep the guard from holding. */
  except: GuardPattern[];
  within: 'window' | 'sentence' | 'post' | 'thread';
  before: number;
  after: number;
}

/** The guards of one phrase set, by index (a compiled rule's `guards`). */
export class Guards {
  readonly list: CompiledGuard[] = [];
  // Scratch reused for the token range a guard is looked for in (single-threaded), stamped with a
  // generation per range: the vocabulary ids present in it (the last range stamped is remembered).
  private rangePresent = new Int32Array(0);
  private rangeGeneration = 0;
  private lastRange: { ids: unknown; from: number; to: number } = { ids: null, from: 0, to: 0 };
  /** The distinct ids of the last range, and the [token, start state] pairs of one run. */
  private readonly rangeDistinct = new IntList();
  private readonly injections = new IntList();

  constructor(private readonly automaton: Automaton) {}

  /** Scratch for a vocabulary of `size` ids (a pack's phrase sets share one, which grows as each adds its words). */
  resize(size: number): void {
    this.rangePresent = new Int32Array(size);
    this.lastRange = { ids: null, from: 0, to: 0 };
  }

  /** Does guard `g` hold around the match `at`? `cache` keeps the answers of one `find` for the wider scopes. */
  holds(
    g: number,
    ctx: PhraseContext,
    ids: readonly (readonly number[] | null)[],
    at: { from: number; to: number; t: number; end: number; sentence: number },
    cache: Map<string, boolean>,
  ): boolean {
    const guard = this.list[g]!;
    if (guard.quoted) return insideQuotes(ctx, at);
    const post = ctx.tokens.count;
    let inScope: boolean;
    switch (guard.within) {
      case 'window':
        inScope = this.occurs(guard.patterns, ids, Math.max(at.from, at.t - guard.before), Math.min(at.to, at.end + guard.after));
        break;
      case 'sentence':
        inScope = this.cached(cache, `${g}:s${at.sentence}`, () => this.occurs(guard.patterns, ids, at.from, at.to));
        break;
      case 'post':
        inScope = this.cached(cache, `${g}:p`, () => this.occurs(guard.patterns, ids, 0, post));
        break;
      case 'thread':
        inScope = this.cached(cache, `${g}:t`, () => ctx.thread().some((postIds) => this.occurs(guard.patterns, postIds, 0, postIds.length)));
        break;
    }
    // An exception anywhere in the post ("irl" against a games guard) keeps the guard from holding.
    return inScope && (guard.except.length === 0 || !this.cached(cache, `${g}:x`, () => this.occurs(guard.except, ids, 0, post)));
  }

  private cached(cache: Map<string, boolean>, key: string, compute: () => boolean): boolean {
    let value = cache.get(key);
    if (value === undefined) cache.set(key, (value = compute()));
    return value;
  }

  /**
   * Does any of the patterns match somewhere inside tokens [from, to)? Only patterns whose
   * required words all occur in the range are run, in one pass with each start injected where it
   * can begin, stopping at the first match: a thread dropped because an earlier start holds the
   * same state has the same future, so no match is lost.
   */
  private occurs(patterns: readonly GuardPattern[], ids: readonly (readonly number[] | null)[], from: number, to: number): boolean {
    if (from >= to || patterns.length === 0) return false;
    const present = this.rangePresent;
    const last = this.lastRange;
    const distinct = this.rangeDistinct;
    if (last.ids !== ids || last.from !== from || last.to !== to) {
      distinctIds(ids, from, to, present, ++this.rangeGeneration, distinct);
      last.ids = ids;
      last.from = from;
      last.to = to;
    }
    const gen = this.rangeGeneration;
    let viable: GuardPattern[] | undefined;
    for (const p of patterns) if (allPresent(p.requirements, present, gen, distinct)) (viable ??= []).push(p);
    if (!viable) return false;
    const injections = this.injections;
    injections.length = 0;
    for (let t = from; t < to; t++) {
      const token = ids[t];
      for (const p of viable) if (p.first === null || (token && hasAny(p.first, token))) injections.pushPair(t, p.start);
    }
    return injections.length > 0 && this.automaton.scan(ids, from, to, injections.items, injections.length, true).length > 0;
  }
}
