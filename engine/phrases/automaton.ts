/**
 * Phrase patterns compiled to one token-level Thompson automaton. Matching
 * simulates the set of live states word by word, so the cost is linear in the
 * words of a sentence times the size of the pattern: no backtracking, whatever
 * a reviewer writes. Bounded gaps are chains of optional any-word states.
 */
import { normalizeTerm } from '../normalize.js';
import type { NormalizedText } from '../normalize.js';
import type { PatternNode } from './pattern.js';
import { TOKEN_CLASS, type TokenClass, type Tokens } from './tokens.js';

const MATCH = 0;
const ANY = 1;
const SPLIT = 2;
const ACCEPT = 3;
/** A trie node of a slot's entries: word id → next states (so a 300-entry slot is one state, not 300 branches). */
const DISPATCH = 4;
/** Epsilon with one exit (the shared end of a trie). */
const NOP = 5;

/** A word as the automaton sees it: its collapsed form and how often each letter must be written. */
interface VocabWord {
  id: number;
  runs: Uint16Array;
}

/** Every word the patterns of one phrase set mention, by collapsed form; ids index the states' sets. */
export class Vocabulary {
  private readonly byKey = new Map<string, VocabWord[]>();
  private readonly bySignature = new Map<string, number>();
  private readonly keys: string[] = [];
  private next = 0;
  /** Ids of the token classes ($NUMBER, $MONEY, $URL) that patterns use, by class bit. */
  private readonly classIds = new Map<number, number>();

  /** How many ids have been given out (ids are 0 … size - 1). */
  get size(): number {
    return this.next;
  }

  /** The collapsed form of a word id ('' for a token class). */
  keyOf(id: number): string {
    return this.keys[id] ?? '';
  }

  /** Id of a token class, as a slot such as `$NUMBER` names it. */
  classId(cls: TokenClass): number {
    const bit = TOKEN_CLASS[cls];
    let id = this.classIds.get(bit);
    if (id === undefined) this.classIds.set(bit, (id = this.next++));
    return id;
  }

  /** Id of a single normalised word (no spaces). */
  idOf(key: string, runs: Uint16Array | readonly number[]): number {
    const signature = `${key}\u0000${Array.from(runs).join(',')}`;
    let id = this.bySignature.get(signature);
    if (id !== undefined) return id;
    id = this.next++;
    this.keys[id] = key;
    this.bySignature.set(signature, id);
    let list = this.byKey.get(key);
    if (!list) this.byKey.set(key, (list = []));
    list.push({ id, runs: Uint16Array.from(runs) });
    return id;
  }

  /** Every token's ids (null where the token is no vocabulary word): once per post, shared by the pack's phrase sets. */
  idsOf(n: NormalizedText, tokens: Tokens): (number[] | null)[] {
    const out: (number[] | null)[] = new Array(tokens.keys.length);
    for (let t = 0; t < out.length; t++) out[t] = this.lookup(n, tokens, t);
    return out;
  }

  /** Ids of the vocabulary words that token `t` is a spelling of (`killll` is `kill`; `kil` is not). */
  lookup(n: NormalizedText, tokens: Tokens, t: number): number[] | null {
    const cls = tokens.classes[t]!;
    if (cls !== 0) {
      let out: number[] | null = null;
      for (const [bit, id] of this.classIds) if ((cls & bit) !== 0) (out ??= []).push(id);
      return out;
    }
    const list = this.byKey.get(tokens.keys[t]!);
    if (!list) return null;
    const start = tokens.start[t]!;
    let out: number[] | null = null;
    for (const word of list) {
      let covered = true;
      for (let i = 0; i < word.runs.length; i++) {
        if (n.runs[start + i]! < word.runs[i]!) {
          covered = false;
          break;
        }
      }
      if (covered) (out ??= []).push(word.id);
    }
    return out;
  }
}

/** A phrase as token sequences: `i'll` → [[i, ll], [ill]]. Each token is a vocabulary id. */
export type Expansion = number[];

/** Every token sequence a written phrase stands for: the normalised form, and the joined form of an apostrophe word. */
export function expandPhrase(vocab: Vocabulary, phrase: string): Expansion[] {
  const forms = new Set([phrase]);
  if (/['’]/.test(phrase)) forms.add(phrase.replace(/['’]/g, ''));
  const out: Expansion[] = [];
  for (const form of forms) {
    const n = normalizeTerm(form);
    if (n.text.length === 0) continue;
    const ids: number[] = [];
    let at = 0;
    for (const word of n.text.split(' ')) {
      ids.push(vocab.idOf(word, n.runs.slice(at, at + word.length)));
      at += word.length + 1;
    }
    out.push(ids);
  }
  return out;
}

interface Fragment {
  start: number;
  /** Dangling exits to patch: [state, 1 | 2]. */
  outs: [number, 1 | 2][];
}

/** Resolves the leaves of a pattern (words, slots) to token sequences. */
export type LeafResolver = (node: Extract<PatternNode, { kind: 'word' | 'slot' }>) => Expansion[];

export class Automaton {
  private kind: number[] = [];
  private sets: (Set<number> | null)[] = [];
  private maps: (Map<number, number[]> | null)[] = [];
  /** Per start state: the word ids a match can begin with, or null when it can begin with any word. */
  private readonly firsts = new Map<number, Set<number> | null>();
  private out1: number[] = [];
  private out2: number[] = [];
  private stamp = new Int32Array(0);
  private generation = 0;

  /** Per ACCEPT state: the tag (rule index) its pattern was added with. */
  private readonly tags = new Map<number, number>();

  /** Adds one pattern whose matches report `tag`; returns its start state. */
  add(node: PatternNode, resolve: LeafResolver, tag = 0): number {
    const frag = this.build(node, resolve);
    const accept = this.state(ACCEPT, null);
    this.tags.set(accept, tag);
    this.patch(frag, accept);
    this.stamp = new Int32Array(this.kind.length);
    this.firsts.set(frag.start, this.firstWords(frag.start));
    return frag.start;
  }

  /** The word ids a match from `start` can begin with; null when any word can begin it (a leading gap). */
  firstWordsOf(start: number): ReadonlySet<number> | null {
    return this.firsts.get(start) ?? null;
  }

  /** Can a match of the pattern starting at `start` begin with a word of these ids? (Cheap pre-check.) */
  mayStartWith(start: number, ids: readonly number[] | null): boolean {
    const first = this.firsts.get(start);
    if (first === null) return true;
    if (!ids || !first) return false;
    for (const id of ids) if (first.has(id)) return true;
    return false;
  }

  private firstWords(start: number): Set<number> | null {
    this.ensureScratch();
    const size = this.closure(this.bufA, 0, start, ++this.generation);
    const out = new Set<number>();
    for (const s of this.bufA.subarray(0, size)) {
      const kind = this.kind[s]!;
      if (kind === ANY || kind === ACCEPT) return null;
      if (kind === MATCH) for (const id of this.sets[s]!) out.add(id);
      if (kind === DISPATCH) for (const id of this.maps[s]!.keys()) out.add(id);
    }
    return out;
  }

  /**
   * Longest match of the pattern at `start`, anchored at token `from`, within
   * tokens [from, to): the end index, or -1. `ids[t]` are token t's vocabulary ids.
   */
  longestAt(start: number, ids: readonly (readonly number[] | null)[], from: number, to: number): number {
    const events = this.scan(ids, from, to, [from, start]);
    let best = -1;
    for (let i = 2; i < events.length; i += 3) best = Math.max(best, events[i]!);
    return best;
  }

  /**
   * Every match of the patterns in tokens [from, to) in one pass (a Pike VM): at each token the
   * live states of all patterns advance together, one thread per state keeping the earliest
   * start. `injections` holds [t, start state] pairs, t non-decreasing within [from, to): the
   * starts allowed at each token. Returns [tag, start, end] triples for every accepting thread;
   * the caller picks leftmost-longest matches from them. With `firstOnly`, returns at the first
   * accepting thread (does anything match?).
   */
  scan(
    ids: readonly (readonly number[] | null)[],
    from: number,
    to: number,
    injections: readonly number[],
    firstOnly = false,
  ): number[] {
    this.ensureScratch();
    const events: number[] = [];
    let current = this.bufA;
    let next = this.bufB;
    let size = 0;
    let gen = ++this.generation;
    let k = 0;
    for (let t = from; t <= to; t++) {
      if (size === 0) {
        // No thread alive: jump to the next injection, or stop when none is left.
        if (k >= injections.length) break;
        if (injections[k]! > t) {
          t = injections[k]!;
          gen = ++this.generation;
        }
      }
      // Threads carried over from t - 1 were added first: they keep priority (earlier starts).
      while (k < injections.length && injections[k] === t) {
        size = this.closure(current, size, injections[k + 1]!, gen, t);
        k += 2;
      }
      const nextGen = ++this.generation;
      let nextSize = 0;
      const token = t < to ? ids[t] : null;
      for (let i = 0; i < size; i++) {
        const s = current[i]!;
        const kind = this.kind[s]!;
        const from = this.startOf[s]!;
        if (kind === ACCEPT) {
          if (t > from) {
            events.push(this.tags.get(s)!, from, t);
            if (firstOnly) return events;
          }
        } else if (t === to) {
          continue;
        } else if (kind === ANY) {
          nextSize = this.closure(next, nextSize, this.out1[s]!, nextGen, from);
        } else if (token !== null && token !== undefined) {
          if (kind === DISPATCH) {
            const map = this.maps[s]!;
            for (const id of token) {
              const targets = map.get(id);
              if (targets) for (const target of targets) nextSize = this.closure(next, nextSize, target, nextGen, from);
            }
          } else if (kind === MATCH && matchesAny(this.sets[s]!, token)) {
            nextSize = this.closure(next, nextSize, this.out1[s]!, nextGen, from);
          }
        }
      }
      const swap = current;
      current = next;
      next = swap;
      size = nextSize;
      gen = nextGen;
    }
    return events;
  }

  private bufA = new Int32Array(0);
  private bufB = new Int32Array(0);
  private stack = new Int32Array(0);
  /** Start token of the thread in each state (scan). */
  private startOf = new Int32Array(0);

  private ensureScratch(): void {
    if (this.bufA.length >= this.kind.length) return;
    this.bufA = new Int32Array(this.kind.length);
    this.bufB = new Int32Array(this.kind.length);
    this.startOf = new Int32Array(this.kind.length);
    this.stack = new Int32Array(2 * this.kind.length + 1); // each state expands once, pushing at most two
  }

  /** Adds the epsilon closure of `s` to `list` from `size` on (each state once per generation); returns the new size. */
  private closure(list: Int32Array, size: number, s: number, gen: number, start = 0): number {
    let top = 0;
    this.stack[top++] = s;
    while (top > 0) {
      const state = this.stack[--top]!;
      if (this.stamp[state] === gen) continue;
      this.stamp[state] = gen;
      const kind = this.kind[state];
      if (kind === SPLIT) {
        // Push out2 first so that out1 (the preferred branch) is expanded first.
        this.stack[top++] = this.out2[state]!;
        this.stack[top++] = this.out1[state]!;
      } else if (kind === NOP) {
        this.stack[top++] = this.out1[state]!;
      } else {
        this.startOf[state] = start;
        list[size++] = state;
      }
    }
    return size;
  }

  private state(kind: number, set: Set<number> | null): number {
    this.kind.push(kind);
    this.sets.push(set);
    this.maps.push(kind === DISPATCH ? new Map() : null);
    this.out1.push(-1);
    this.out2.push(-1);
    return this.kind.length - 1;
  }

  private patch(frag: Fragment, to: number): void {
    for (const [s, which] of frag.outs) (which === 1 ? this.out1 : this.out2)[s] = to;
  }

  private build(node: PatternNode, resolve: LeafResolver): Fragment {
    switch (node.kind) {
      case 'word':
      case 'slot':
        return this.expansions(resolve(node));
      case 'any': {
        const s = this.state(ANY, null);
        return { start: s, outs: [[s, 1]] };
      }
      case 'seq':
        return this.sequence(node.items.map((item) => this.build(item, resolve)));
      case 'alt':
        return this.alternation(node.options.map((option) => this.build(option, resolve)));
      case 'opt':
        return this.optional(this.build(node.node, resolve));
      case 'gap': {
        const steps: Fragment[] = [];
        for (let i = 0; i < node.max; i++) {
          const s = this.state(ANY, null);
          steps.push(this.optional({ start: s, outs: [[s, 1]] }));
        }
        return this.sequence(steps);
      }
    }
  }

  /** The entries of a word or slot as one trie of DISPATCH states ending in one shared exit. */
  private expansions(list: Expansion[]): Fragment {
    if (list.length === 0) throw new Error('a word or slot in this pattern has no matchable form');
    const root = this.state(DISPATCH, null);
    const exit = this.state(NOP, null);
    const children = new Map<number, Map<number, number>>(); // trie node → word id → child node
    for (const expansion of list) {
      let node = root;
      expansion.forEach((id, i) => {
        const map = this.maps[node]!;
        const targets = map.get(id) ?? [];
        map.set(id, targets);
        if (i === expansion.length - 1) {
          if (!targets.includes(exit)) targets.push(exit);
          return;
        }
        let byId = children.get(node);
        if (!byId) children.set(node, (byId = new Map()));
        let child = byId.get(id);
        if (child === undefined) {
          child = this.state(DISPATCH, null);
          byId.set(id, child);
          targets.push(child);
        }
        node = child;
      });
    }
    return { start: root, outs: [[exit, 1]] };
  }

  private sequence(frags: Fragment[]): Fragment {
    for (let i = 0; i + 1 < frags.length; i++) this.patch(frags[i]!, frags[i + 1]!.start);
    return { start: frags[0]!.start, outs: frags.at(-1)!.outs };
  }

  private alternation(frags: Fragment[]): Fragment {
    let result = frags[0]!;
    for (let i = 1; i < frags.length; i++) {
      const s = this.state(SPLIT, null);
      this.out1[s] = result.start;
      this.out2[s] = frags[i]!.start;
      result = { start: s, outs: [...result.outs, ...frags[i]!.outs] };
    }
    return result;
  }

  private optional(frag: Fragment): Fragment {
    const s = this.state(SPLIT, null);
    this.out1[s] = frag.start;
    return { start: s, outs: [...frag.outs, [s, 2]] };
  }
}

function matchesAny(set: Set<number>, ids: readonly number[] | null | undefined): boolean {
  if (!ids) return false;
  for (const id of ids) if (set.has(id)) return true;
  return false;
}
