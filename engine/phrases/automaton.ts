/**
 * Phrase patterns compiled to one token-level Thompson automaton. Matching
 * simulates the set of live states word by word, so the cost is linear in the
 * words of a sentence times the size of the pattern: no backtracking, whatever
 * a reviewer writes. The graph is built by pattern-graph.ts.
 */
import type { PatternNode } from './pattern.js';
import * as patternGraph from './pattern-graph.js';
import type { LeafResolver, PatternGraph as Graph } from './pattern-graph.js';

// Bound here rather than read through the import: V8 reads an imported binding from the
// exporting module's cell, with a TDZ check, at each use, and `scan` and `closure` read the
// state kinds per state.
const { ACCEPT, ANY, DISPATCH, NOP, PatternGraph, SPLIT } = patternGraph;

export class Automaton {
  // The graph as it is built (pattern-graph.ts), until `freeze` packs it: then dropped. Its Maps
  // and arrays (~63 MB for the default pack's three sets) would otherwise be marked by every
  // major GC of the server for nothing: everything after packing reads `table` and `edges`.
  private graph: Graph | null = new PatternGraph();

  // The same graph packed for matching (`freeze`, after the last `add`): three words per state in
  // one array, [kind, out1, out2] (DISPATCH: [kind, first edge, edge count]; ACCEPT: [kind, tag]),
  // and every DISPATCH edge as (word id, target) pairs sorted by id. A scan touches a few states
  // of an automaton of ~100,000 that the other checks of an evaluation have pushed out of the CPU
  // caches; one array of numbers costs a cache line per state where arrays, Sets and Maps per
  // state cost several.
  private table = new Int32Array(0);
  private edges = new Int32Array(0);
  private generation = 0;

  /** Adds one pattern whose matches report `tag`; returns its start state. Every pattern comes before the first lookup or scan. */
  add(node: PatternNode, resolve: LeafResolver, tag = 0): number {
    if (!this.graph) throw new Error('a pattern added after the automaton was packed (add every pattern before the first lookup or scan)');
    return this.graph.add(node, resolve, tag);
  }

  /** The word ids a match from `start` can begin with; null when any word can begin it (a leading gap). */
  firstWordsOf(start: number): ReadonlySet<number> | null {
    this.freeze();
    this.rewind();
    const size = this.closure(this.bufA, 0, start, ++this.generation);
    const out = new Set<number>();
    for (const s of this.bufA.subarray(0, size)) {
      const kind = this.table[3 * s]!;
      if (kind === ANY || kind === ACCEPT) return null;
      if (kind === DISPATCH) {
        // The state's edges, (word id, target) pairs: every word id it dispatches on, each once in the set.
        const first = this.table[3 * s + 1]!;
        const end = first + 2 * this.table[3 * s + 2]!;
        for (let e = first; e < end; e += 2) out.add(this.edges[e]!);
      }
    }
    return out;
  }

  /**
   * Every match of the patterns in tokens [from, to) in one pass (a Pike VM): at each token the
   * live states of all patterns advance together, one thread per state keeping the earliest
   * start. `injections[0, count)` holds [t, start state] pairs, t non-decreasing within
   * [from, to): the starts allowed at each token. Returns [tag, start, end] triples for every
   * accepting thread; the caller picks leftmost-longest matches from them. With `firstOnly`,
   * returns at the first accepting thread (does anything match?).
   */
  scan(
    ids: readonly (readonly number[] | null)[],
    from: number,
    to: number,
    injections: Int32Array,
    count: number,
    firstOnly = false,
  ): number[] {
    this.freeze();
    this.rewind();
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
        if (k >= count) break;
        if (injections[k]! > t) {
          t = injections[k]!;
          gen = ++this.generation;
        }
      }
      // Threads carried over from t - 1 were added first: they keep priority (earlier starts).
      while (k < count && injections[k] === t) {
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

  /** Packs the graph for matching (see `table`) and drops it, once, after the last `add`. */
  private freeze(): void {
    if (!this.graph) return;
    const n = this.graph.kind.length;
    const { table, edges } = this.graph.pack();
    this.graph = null;
    this.table = table;
    this.edges = edges;
    this.bufA = new Int32Array(n);
    this.bufB = new Int32Array(n);
    this.marks = new Int32Array(2 * n);
    this.stack = new Int32Array(2 * n + 1); // each state expands once, pushing at most two
    this.generation = 0;
  }

  /**
   * Starts the generations over, clearing the marks, long before they pass 2^31 - 1: an Int32
   * mark cannot hold a larger one, so no state would ever read as added (each scan adds at most a
   * few per token to the count, ~40 per evaluation of a 280-character post).
   */
  private rewind(): void {
    if (this.generation < 0x40000000) return;
    this.marks.fill(0);
    this.generation = 0;
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
