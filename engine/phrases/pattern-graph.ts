/**
 * The Thompson graph of phrase patterns as they are added, one state at a time; the automaton
 * (automaton.ts) packs it into flat tables for matching once the last pattern is in. Bounded
 * gaps are chains of optional any-word states.
 */
import type { PatternNode } from './pattern.js';
import type { Expansion } from './vocabulary.js';

export const ANY = 1;
export const SPLIT = 2;
export const ACCEPT = 3;
/** A trie node of a slot's entries: word id → next states (so a 300-entry slot is one state, not 300 branches). */
export const DISPATCH = 4;
/** Epsilon with one exit (the shared end of a trie). */
export const NOP = 5;

interface Fragment {
  start: number;
  /** Dangling exits to patch: [state, 1 | 2]. */
  outs: [number, 1 | 2][];
}

/** Resolves the leaves of a pattern (words, slots) to token sequences. */
export type LeafResolver = (node: Extract<PatternNode, { kind: 'word' | 'slot' }>) => Expansion[];

export class PatternGraph {
  // One entry per state.
  readonly kind: number[] = [];
  readonly maps: (Map<number, number[]> | null)[] = [];
  private out1: number[] = [];
  private out2: number[] = [];
  /** Per ACCEPT state: the tag (rule index) its pattern was added with. */
  private readonly tags = new Map<number, number>();

  /** Adds one pattern whose matches report `tag`; returns its start state. */
  add(node: PatternNode, resolve: LeafResolver, tag = 0): number {
    const frag = this.build(node, resolve);
    const accept = this.state(ACCEPT);
    this.tags.set(accept, tag);
    this.patch(frag, accept);
    return frag.start;
  }

  /** The graph packed for matching: the `table` and `edges` of automaton.ts. */
  pack(): { table: Int32Array<ArrayBuffer>; edges: Int32Array<ArrayBuffer> } {
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
    return { table, edges };
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
        return this.alternation(this.branches(node.options, resolve));
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

  /**
   * The branches of an alternation. Options that are a word, a slot or a few words in a row share
   * one trie, built where the first of them stands, so that `(game|games|…|debug)` is one state
   * with 60 edges, not 60 states that each take every token. Each branch is entered only through
   * the alternation, so the threads in them all carry the same start: merging them changes no match.
   */
  private branches(options: readonly PatternNode[], resolve: LeafResolver): Fragment[] {
    const frags: Fragment[] = [];
    let shared: { at: number; list: Expansion[] } | undefined;
    for (const option of options) {
      const words = wordsOf(option, resolve);
      if (words === undefined) {
        frags.push(this.build(option, resolve));
      } else if (shared === undefined) {
        shared = { at: frags.length, list: [...words] };
        frags.push({ start: -1, outs: [] }); // the shared trie, built below
      } else {
        for (const w of words) shared.list.push(w);
      }
    }
    if (shared) frags[shared.at] = this.expansions(shared.list);
    return frags;
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

/** At most this many token sequences for a run of words in an alternation to join the shared trie. */
const MAX_JOINED = 64;

/**
 * The token sequences of an option that is a word or slot, or a run of words (`elden ring`) with
 * at most MAX_JOINED sequences; undefined for any other option.
 */
function wordsOf(option: PatternNode, resolve: LeafResolver): Expansion[] | undefined {
  if (option.kind === 'word' || option.kind === 'slot') return checked(resolve(option));
  if (option.kind !== 'seq' || !option.items.every((item) => item.kind === 'word')) return undefined;
  let out: Expansion[] = [[]];
  for (const item of option.items) {
    const list = checked(resolve(item as Extract<PatternNode, { kind: 'word' }>));
    if (out.length * list.length > MAX_JOINED) return undefined;
    out = out.flatMap((head) => list.map((tail) => [...head, ...tail]));
  }
  return out;
}

function checked(list: Expansion[]): Expansion[] {
  if (list.length === 0) throw new Error('a word or slot in this pattern has no matchable form');
  return list;
}
