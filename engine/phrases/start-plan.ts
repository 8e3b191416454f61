/**
 * Where the patterns run on a token range start: the [token, start state] pairs an automaton
 * scan is given, each pattern at every token holding a word its match can begin with. The pairs
 * come token by token, and at one token in the order the patterns were added, both with one test
 * per token and pattern (a range of a few dozen tokens and a few patterns) and, when that product
 * is large (one endless sentence holding every word of a pack), from an index of the range's
 * words: the patterns each can start, so the cost is the patterns' first words plus the pairs.
 */
import { IdSets, IntList } from './prefilter.js';

/** Below this many (token, pattern) tests the index is not built: a normal sentence never reaches it. */
export const INDEX_FROM = 2048;

export class StartPlan {
  /** Per pattern added since `clear`: its set of first words (-1: any word), its start state. */
  private readonly firsts = new IntList();
  private readonly starts = new IntList();
  // The index (scratch, single-threaded): per word id, its first node in `nodes` ([pattern, next]
  // pairs, patterns ascending) when `headRound` holds the current round.
  private head = new Int32Array(0);
  private headRound = new Float64Array(0);
  private round = 0;
  private readonly nodes = new IntList();
  /** The patterns any word starts, and the ones with more first words than the range has tokens (tested per token). */
  private readonly any = new IntList();
  private readonly probed = new IntList();
  /** The patterns picked at one token, and per pattern the token round it was last picked in. */
  private readonly picked = new IntList();
  private pickedRound = new Float64Array(0);

  clear(): void {
    this.firsts.length = 0;
    this.starts.length = 0;
  }

  /** The next pattern: `first` its set in the `IdSets` given to `inject` (-1 when any word begins it), `start` its start state. */
  add(first: number, start: number): void {
    this.firsts.push(first);
    this.starts.push(start);
  }

  /**
   * The [token, start state] pairs of the patterns added, in tokens [from, to), into `out`
   * (emptied first): t ascending, then the patterns in the order added. `present` and `gen`
   * mark the range's words (`rangeWords`), to leave the other first words out of the index.
   */
  inject(ids: readonly (readonly number[] | null)[], from: number, to: number, sets: IdSets, present: Float64Array, gen: number, out: IntList): void {
    out.length = 0;
    const n = this.firsts.length;
    const firsts = this.firsts.items;
    const starts = this.starts.items;
    const span = to - from;
    let indexCost = span;
    if (span * n > INDEX_FROM) for (let v = 0; v < n; v++) indexCost += firsts[v]! < 0 ? span : Math.min(sets.count(firsts[v]!), span);
    if (span * n <= INDEX_FROM || 2 * indexCost >= span * n) {
      for (let t = from; t < to; t++) {
        const token = ids[t];
        for (let v = 0; v < n; v++) {
          const first = firsts[v]!;
          if (first < 0 || (token && sets.hasAny(first, token))) out.pushPair(t, starts[v]!);
        }
      }
      return;
    }
    this.index(sets, present, gen, span);
    const { head, headRound, nodes, any, probed, picked } = this;
    const round = this.round;
    if (this.pickedRound.length < n) this.pickedRound = new Float64Array(n + 64);
    const pickedRound = this.pickedRound;
    for (let t = from; t < to; t++) {
      const token = ids[t];
      if (any.length === 0 && probed.length === 0 && token?.length === 1) {
        // One word, no other source: its list is the token's patterns, ascending and each once.
        const id = token[0]!;
        if (id < head.length && headRound[id] === round) for (let k = head[id]!; k >= 0; k = nodes.items[k + 1]!) out.pushPair(t, starts[nodes.items[k]!]!);
        continue;
      }
      // Several sources: each pattern once (`pickedRound`), then in the order added.
      const tokenRound = ++this.round;
      picked.length = 0;
      for (let i = 0; i < any.length; i++) picked.push(any.items[i]!);
      if (token) {
        for (let i = 0; i < probed.length; i++) if (sets.hasAny(firsts[probed.items[i]!]!, token)) picked.push(probed.items[i]!);
        for (const id of token) {
          if (id >= head.length || headRound[id] !== round) continue;
          for (let k = head[id]!; k >= 0; k = nodes.items[k + 1]!) {
            const v = nodes.items[k]!;
            if (pickedRound[v] === tokenRound) continue;
            pickedRound[v] = tokenRound;
            picked.push(v);
          }
        }
      }
      if (picked.length > 1) picked.items.subarray(0, picked.length).sort();
      for (let i = 0; i < picked.length; i++) out.pushPair(t, starts[picked.items[i]!]!);
    }
  }

  /** Per word of the range, the patterns it can start (ascending), for the patterns with few first words. */
  private index(sets: IdSets, present: Float64Array, gen: number, span: number): void {
    const round = ++this.round;
    const firsts = this.firsts.items;
    const n = this.firsts.length;
    const { nodes, any, probed } = this;
    nodes.length = 0;
    any.length = 0;
    probed.length = 0;
    for (let v = 0; v < n; v++) {
      const first = firsts[v]!;
      if (first < 0) any.push(v);
      else if (sets.count(first) > span) probed.push(v);
    }
    // Last pattern first, each node put in front: every word's list comes out ascending.
    for (let v = n - 1; v >= 0; v--) {
      const first = firsts[v]!;
      if (first < 0 || sets.count(first) > span) continue;
      const members = sets.members(first);
      for (let i = 0; i < members.length; i++) {
        const id = members[i]!;
        // A word the range cannot hold is left out (an id past `present` is kept: it was never marked).
        if (id < present.length && present[id] !== gen) continue;
        if (id >= this.head.length) this.grow(id);
        nodes.pushPair(v, this.headRound[id] === round ? this.head[id]! : -1);
        this.head[id] = nodes.length - 2;
        this.headRound[id] = round;
      }
    }
  }

  private grow(id: number): void {
    const size = Math.max(id + 1, 2 * this.head.length, 1024);
    const head = new Int32Array(size);
    head.set(this.head);
    const headRound = new Float64Array(size);
    headRound.set(this.headRound);
    this.head = head;
    this.headRound = headRound;
  }
}
