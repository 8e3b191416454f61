/**
 * A phrase set (rules/<pack>/phrases/*.yaml): word classes (slots), context
 * guards and phrase rules, compiled once into one automaton. `find` tokenises
 * nothing itself: it takes the post's tokens, looks each word up once, runs
 * only the rules whose required words occur, and only in those sentences.
 */
import { Automaton } from './automaton.js';
import { cheapest, compilePatterns, leafResolver, slotExpansions } from './compile-patterns.js';
import { Guards, type GuardPattern } from './guards.js';
import { byPosition, leftmostLongest } from './leftmost-longest.js';
import type { PhraseSetSpec } from './phrase-schema.js';
import { IdSets, IntList, PatternNeeds, postWords, rangeWords } from './prefilter.js';
import { StartPlan } from './start-plan.js';
import type { Tokens } from './tokens.js';
import { Vocabulary, type Expansion } from './vocabulary.js';

export interface PhraseMatch {
  rule: string;
  signal: string;
  /** [from, to) in the post's original text. */
  from: number;
  to: number;
  /** [first, last) token of the match. */
  first: number;
  last: number;
  sentence: number;
}

export interface Suppressed extends PhraseMatch {
  guard: string;
}

/** What a phrase set needs from the post and thread at match time. */
export interface PhraseContext {
  tokens: Tokens;
  /** Per token, its ids in the set's vocabulary (`Vocabulary.idsOf`). */
  ids: readonly (readonly number[] | null)[];
  /** The post's original text, for the quoted-speech guard. */
  text: string;
  /** The token ids of every post of the thread, for `within: thread` guards. */
  thread(): readonly (readonly (readonly number[] | null)[])[];
}

interface CompiledRule {
  id: string;
  signal: string;
  starts: number[];
  guards: number[];
}

export class PhraseSet {
  private readonly automaton = new Automaton();
  private readonly rules: CompiledRule[] = [];
  private readonly guards = new Guards(this.automaton);
  /** Every compiled rule pattern: its start state, its rule's index in `rules`, and the words each required element other than its trigger needs. */
  private readonly starts: number[] = [];
  private readonly ruleOf: number[] = [];
  private readonly needs = new PatternNeeds();
  /**
   * Vocabulary id → patterns it is the trigger of (the rarest required element), in two typed arrays, no list per id to chase:
   * anchorList[anchorAt[id] … anchorAt[id + 1]), for the ids given out by then (a later set of the pack may add more, which trigger nothing here).
   */
  private anchorAt = new Int32Array(1);
  private anchorList = new Int32Array(0);
  /** Per pattern: its set in `firstSets` of the word ids its match can begin with, or -1 when any word can begin it. */
  private firstWords = new Int32Array(0);
  private readonly firstSets = new IdSets();
  /** Bit `id` set when vocabulary id `id` is the trigger of a pattern (anchorAt[id] < anchorAt[id + 1]): a sentence without one is skipped reading 1 KB, not the anchor table. */
  private triggerBits = new Uint32Array(0);
  // Scratch of `find` (single-threaded): the patterns tested in a sentence, stamped with a count of
  // the sentences read (not `rangeWords`' generation, given again for the range stamped last: a
  // second find of one sentence tested nothing), its viable patterns, their [token, start] pairs.
  private checkedIn = new Float64Array(0);
  private sentencesRead = 0;
  private readonly viable = new IntList();
  private readonly injections = new IntList();
  private readonly plan = new StartPlan();

  /**
   * `vocab` may be shared by the phrase sets of one pack, so that a post's words are looked
   * up once for all of them.
   */
  constructor(
    spec: PhraseSetSpec,
    lexicons: ReadonlyMap<string, { terms: string[] }>,
    readonly vocab: Vocabulary = new Vocabulary(),
  ) {
    const slots = new Map<string, Expansion[]>();
    for (const [slotName, slot] of Object.entries(spec.slots ?? {})) {
      slots.set(slotName, slotExpansions(this.vocab, slotName, slot, lexicons));
    }
    const resolve = leafResolver(this.vocab, slots);
    const guardIndex = new Map<string, number>();
    for (const [guardName, guard] of Object.entries(spec.guards ?? {})) {
      guardIndex.set(guardName, this.guards.list.length);
      if ('quoted' in guard) {
        this.guards.list.push({ name: guardName, quoted: true, patterns: [], except: [], within: 'window', before: 0, after: 0, sentences: 0 });
        continue;
      }
      const guardPatterns = (where: string, match: string | string[]): GuardPattern[] =>
        // Their first words are set once every pattern is in the automaton (`freeze`).
        compilePatterns(this.automaton, this.vocab, where, match, resolve).map(({ start, requirements }) => this.guards.pattern(start, requirements, cheapest(requirements, this.vocab)));
      this.guards.list.push({
        name: guardName,
        quoted: false,
        patterns: guardPatterns(`guards.${guardName}`, guard.match),
        except: guard.except ? guardPatterns(`guards.${guardName}.except`, guard.except) : [],
        within: guard.within ?? 'window',
        before: guard.before ?? 3,
        after: guard.after ?? 0,
        sentences: guard.sentences ?? 1,
      });
    }
    const anchors = new Map<number, number[]>();
    const seen = new Set<string>();
    spec.rules.forEach((rule, index) => {
      if (seen.has(rule.id)) throw new Error(`rules[${index}]: duplicate rule id "${rule.id}"`);
      seen.add(rule.id);
      const compiled = compilePatterns(this.automaton, this.vocab, `rules[${index}] (${rule.id})`, rule.match, resolve, this.rules.length);
      const guards = (rule.unless ?? []).map((g) => {
        const at = guardIndex.get(g);
        if (at === undefined) throw new Error(`rules[${index}] (${rule.id}): unknown guard "${g}" (declare it under guards:)`);
        return at;
      });
      this.rules.push({ id: rule.id, signal: rule.signal ?? rule.id, starts: compiled.map((p) => p.start), guards });
      for (const { start, requirements } of compiled) {
        const p = this.starts.length;
        const trigger = cheapest(requirements, this.vocab);
        // The trigger is present wherever the pattern is tried: only the other elements are checked.
        this.starts.push(start);
        this.ruleOf.push(this.rules.length - 1);
        this.needs.add(requirements.filter((r) => r !== trigger));
        for (const id of trigger.ids) anchors.set(id, [...(anchors.get(id) ?? []), p]);
      }
    });
    // Looked up after the last pattern is added: the automaton packs itself once for lookups.
    this.guards.freeze();
    this.firstWords = Int32Array.from(this.starts, (start) => {
      const first = this.automaton.firstWordsOf(start);
      return first === null ? -1 : this.firstSets.add(first);
    });
    this.firstSets.freeze();
    this.needs.freeze();
    this.checkedIn = new Float64Array(this.starts.length);
    this.anchorAt = new Int32Array(this.vocab.size + 1);
    const lists: number[] = [];
    for (let id = 0; id < this.vocab.size; id++) {
      this.anchorAt[id] = lists.length;
      for (const p of anchors.get(id) ?? []) lists.push(p);
    }
    this.anchorAt[this.vocab.size] = lists.length;
    this.anchorList = Int32Array.from(lists);
    this.triggerBits = new Uint32Array((this.vocab.size >>> 5) + 1);
    for (let id = 0; id < this.vocab.size; id++) if (this.anchorAt[id] !== this.anchorAt[id + 1]) this.triggerBits[id >>> 5]! |= 1 << (id & 31);
  }

  get signals(): string[] {
    return [...new Set(this.rules.map((r) => r.signal))];
  }

  /** `find`'s `only`: per pattern, 1 when its rule's signal is one of `signals`. */
  patternsOf(signals: ReadonlySet<string>): Uint8Array {
    return Uint8Array.from(this.ruleOf, (rule) => (signals.has(this.rules[rule]!.signal) ? 1 : 0));
  }

  /** Matches of every rule (with `only`, of its patterns' rules alone: a rule's matches come from its own patterns and guards), leftmost-longest and non-overlapping per rule, and the ones a guard suppressed. */
  find(ctx: PhraseContext, only?: Uint8Array): { matches: PhraseMatch[]; suppressed: Suppressed[] } {
    const { tokens, ids } = ctx;
    const count = tokens.count;
    const matches: PhraseMatch[] = [];
    const suppressed: Suppressed[] = [];
    if (count === 0) return { matches, suppressed };
    const words = rangeWords;
    words.ensure(this.vocab.size);
    postWords.ensure(this.vocab.size);
    const { anchorAt, anchorList, triggerBits } = this;
    const known = anchorAt.length - 1;
    let guardCache: Map<number, boolean> | undefined;
    for (let sentence = 0; sentence + 1 < tokens.sentenceStart.length; sentence++) {
      const from = tokens.sentenceStart[sentence]!;
      const to = tokens.sentenceStart[sentence + 1]!;
      // A pattern is run only in a sentence that holds its trigger and some word of every other
      // required element: most sentences run nothing, and are passed over on the trigger bits.
      if (!this.triggered(ids, from, to)) continue;
      const gen = words.stamp(ids, from, to);
      const read = ++this.sentencesRead;
      const { present, distinct } = words;
      const viable = this.viable;
      viable.length = 0;
      // The sentence's distinct words in the order they first occur: each trigger's patterns once.
      for (let i = 0; i < distinct.length; i++) {
        const id = distinct.items[i]!;
        if (id >= known || (triggerBits[id >>> 5]! & (1 << (id & 31))) === 0) continue;
        for (let k = anchorAt[id]!, end = anchorAt[id + 1]!; k < end; k++) {
          const p = anchorList[k]!;
          if (this.checkedIn[p] === read || (only !== undefined && only[p] === 0)) continue;
          this.checkedIn[p] = read;
          if (this.needs.allPresent(p, present, gen, distinct)) viable.push(p);
        }
      }
      if (viable.length === 0) continue;
      // Only the viable patterns are started, at the words they can begin with.
      const { injections, plan } = this;
      plan.clear();
      for (let v = 0; v < viable.length; v++) plan.add(this.firstWords[viable.items[v]!]!, this.starts[viable.items[v]!]!);
      plan.inject(ids, from, to, this.firstSets, present, gen, injections);
      const events = this.automaton.scan(ids, from, to, injections.items, injections.length);
      if (events.length === 0) continue;
      const kept = leftmostLongest(events);
      for (let k = 0; k < kept.length; k++) {
        const e = kept[k]!;
        const first = events[e + 1]!;
        const last = events[e + 2]!;
        const rule = this.rules[events[e]!]!;
        // The first of the rule's guards that holds around the match, if any.
        let guard = -1;
        if (rule.guards.length > 0) {
          const cache = (guardCache ??= new Map());
          const at = { from, to, t: first, end: last, sentence };
          for (const g of rule.guards) {
            if (this.guards.holds(g, ctx, ids, at, cache)) {
              guard = g;
              break;
            }
          }
        }
        if (guard < 0) matches.push({ rule: rule.id, signal: rule.signal, from: tokens.from[first]!, to: tokens.to[last - 1]!, first, last, sentence });
        else suppressed.push({ rule: rule.id, signal: rule.signal, from: tokens.from[first]!, to: tokens.to[last - 1]!, first, last, sentence, guard: this.guards.list[guard]!.name });
      }
    }
    byPosition(matches);
    return { matches, suppressed };
  }

  /** Is some word of tokens [from, to) the trigger of a pattern? */
  private triggered(ids: readonly (readonly number[] | null)[], from: number, to: number): boolean {
    const bits = this.triggerBits;
    const known = this.anchorAt.length - 1;
    for (let t = from; t < to; t++) {
      const found = ids[t];
      if (!found) continue;
      for (let i = 0; i < found.length; i++) {
        const id = found[i]!;
        if (id < known && (bits[id >>> 5]! & (1 << (id & 31))) !== 0) return true;
      }
    }
    return false;
  }
}
