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

/** Every word the patterns of one phrase set mention, by collapsed form; ids label the automaton's edges. */
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
  // The graph as it is built: one entry per state.
  private kind: number[] = [];
  private maps: (Map<number, number[]> | null)[] = [];
  private out1: number[] = [];
  private out2: number[] = [];
  /** Per ACCEPT state: the tag (rule index) its pattern was added with. */
  private readonly tags = new Map<number, number>();

  // The same graph packed for matching (`freeze`, after the last `add`): three words per state in
  // one array, [kind, out1, out2] (DISPATCH: [kind, first edge, edge count]; ACCEPT: [kind, tag]),
  // and every DISPATCH edge as (word id, target) pairs sorted by id. A scan touches a few states
  // of an automaton of ~100,000 that the other checks of an evaluation have pushed out of the CPU
  // caches; one array of numbers costs a cache line per state where arrays, Sets and Maps per
  // state cost several.
  private table = new Int32Array(0);
  private edges = new Int32Array(0);
  private frozen = false;
  private generation = 0;

  /** Adds one pattern whose matches report `tag`; returns its start state. */
  add(node: PatternNode, resolve: LeafResolver, tag = 0): number {
    const frag = this.build(node, resolve);
    const accept = this.state(ACCEPT);
    this.tags.set(accept, tag);
    this.patch(frag, accept);
    this.frozen = false;
    return frag.start;
  }

  /** The word ids a match from `start` can begin with; null when any word can begin it (a leading gap). */
  firstWordsOf(start: number): ReadonlySet<number> | null {
    this.freeze();
    const size = this.closure(this.bufA, 0, start, ++this.generation);
    const out = new Set<number>();
    for (const s of this.bufA.subarray(0, size)) {
      const kind = this.table[3 * s]!;
      if (kind === ANY || kind === ACCEPT) return null;
      if (kind === DISPATCH) for (const id of this.maps[s]!.keys()) out.add(id);
    }
    return out;
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
    this.freeze();
    const { table, edges, marks } = this;
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
        const kind = table[3 * s]!;
        const start = marks[2 * s + 1]!;
        if (kind === ACCEPT) {
          if (t > start) {
            events.push(table[3 * s + 1]!, start, t);
            if (firstOnly) return events;
          }
        } else if (t === to) {
          continue;
        } else if (kind === ANY) {
          nextSize = this.closure(next, nextSize, table[3 * s + 1]!, nextGen, start);
        } else if (kind === DISPATCH && token) {
          const first = table[3 * s + 1]!;
          const end = first + 2 * table[3 * s + 2]!;
          for (const id of token) {
            for (let e = lowerBound(edges, first, end, id); e < end && edges[e] === id; e += 2) {
              nextSize = this.closure(next, nextSize, edges[e + 1]!, nextGen, start);
            }
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
  /** Per state: [generation it was last added in, start token of its thread] (scan). */
  private marks = new Int32Array(0);

  /** Packs the graph for matching (see `table`); a no-op until another pattern is added. */
  private freeze(): void {
    if (this.frozen) return;
    const n = this.kind.length;
    const table = new Int32Array(3 * n);
    let edgeCount = 0;
    for (const map of this.maps) if (map) for (const targets of map.values()) edgeCount += targets.length;
    const edges = new Int32Array(2 * edgeCount);
    let e = 0;
    for (let s = 0; s < n; s++) {
      const kind = this.kind[s]!;
      table[3 * s] = kind;
      if (kind === DISPATCH) {
        table[3 * s + 1] = e;
        // Sorted by id for a binary search; a word's targets keep their order (thread priority).
        const byId = [...this.maps[s]!].sort((a, b) => a[0] - b[0]);
        for (const [id, targets] of byId) {
          for (const target of targets) {
            edges[e++] = id;
            edges[e++] = target;
          }
        }
        table[3 * s + 2] = (e - table[3 * s + 1]!) / 2;
      } else if (kind === ACCEPT) {
        table[3 * s + 1] = this.tags.get(s)!;
      } else {
        table[3 * s + 1] = this.out1[s]!;
        table[3 * s + 2] = this.out2[s]!;
      }
    }
    this.table = table;
    this.edges = edges;
    this.bufA = new Int32Array(n);
    this.bufB = new Int32Array(n);
    this.marks = new Int32Array(2 * n);
    this.stack = new Int32Array(2 * n + 1); // each state expands once, pushing at most two
    this.generation = 0;
    this.frozen = true;
  }

  /** Adds the epsilon closure of `s` to `list` from `size` on (each state once per generation); returns the new size. */
  private closure(list: Int32Array, size: number, s: number, gen: number, start = 0): number {
    const { table, marks, stack } = this;
    let top = 0;
    stack[top++] = s;
    while (top > 0) {
      const state = stack[--top]!;
      if (marks[2 * state] === gen) continue;
      marks[2 * state] = gen;
      const kind = table[3 * state];
      if (kind === SPLIT) {
        // Push out2 first so that out1 (the preferred branch) is expanded first.
        stack[top++] = table[3 * state + 2]!;
        stack[top++] = table[3 * state + 1]!;
      } else if (kind === NOP) {
        stack[top++] = table[3 * state + 1]!;
      } else {
        marks[2 * state + 1] = start;
        list[size++] = state;
      }
    }
    return size;
  }

  private state(kind: number): number {
    this.kind.push(kind);
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
        const s = this.state(ANY);
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
          const s = this.state(ANY);
          steps.push(this.optional({ start: s, outs: [[s, 1]] }));
        }
        return this.sequence(steps);
      }
    }
  }

  /** The entries of a word or slot as one trie of DISPATCH states ending in one shared exit. */
  private expansions(list: Expansion[]): Fragment {
    if (list.length === 0) throw new Error('a word or slot in this pattern has no matchable form');
    const root = this.state(DISPATCH);
    const exit = this.state(NOP);
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
          child = this.state(DISPATCH);
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
      const s = this.state(SPLIT);
      this.out1[s] = result.start;
      this.out2[s] = frags[i]!.start;
      result = { start: s, outs: [...result.outs, ...frags[i]!.outs] };
    }
    return result;
  }

  private optional(frag: Fragment): Fragment {
    const s = this.state(SPLIT);
    this.out1[s] = frag.start;
    return { start: s, outs: [...frag.outs, [s, 2]] };
  }
}

/** The first edge at or after `from` whose word id is not below `id` (edges are (id, target) pairs sorted by id). */
function lowerBound(edges: Int32Array, from: number, to: number, id: number): number {
  let lo = from / 2;
  let hi = to / 2;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[2 * mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return 2 * lo;
}
