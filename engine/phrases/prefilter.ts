/** The cheap checks that keep a pattern from running where it cannot match: the words its required elements need, among a token range's distinct words. */
import type { Anchor } from './compile-patterns.js';

/** A list of small integers kept between calls (scratch of one matcher, single-threaded): no allocation per use. */
export class IntList {
  items = new Int32Array(64);
  length = 0;

  push(value: number): void {
    if (this.length === this.items.length) this.grow();
    this.items[this.length++] = value;
  }

  pushPair(a: number, b: number): void {
    if (this.length + 2 > this.items.length) this.grow();
    this.items[this.length++] = a;
    this.items[this.length++] = b;
  }

  private grow(): void {
    const bigger = new Int32Array(2 * this.items.length);
    bigger.set(this.items);
    this.items = bigger;
  }
}

/** The word ids of tokens [from, to), each once, into `out` (emptied first), marking them in `present` with `gen`. */
export function distinctIds(ids: readonly (readonly number[] | null)[], from: number, to: number, present: Float64Array, gen: number, out: IntList): void {
  out.length = 0;
  for (let t = from; t < to; t++) {
    const found = ids[t];
    if (!found) continue;
    for (let i = 0; i < found.length; i++) {
      const id = found[i]!;
      if (present[id] === gen) continue;
      present[id] = gen;
      out.push(id);
    }
  }
}

/**
 * The distinct word ids of the token range stamped last, marked by vocabulary id with its
 * generation: scratch shared by every phrase set and guard (single-threaded). The sets of a pack
 * stamp a post's words in one table, whose lines the first set loaded serve the next, and a guard
 * asked about the sentence `find` is in reads the stamps `find` made. Generations are doubles that
 * never wrap (an Int32 would after 2^31 ranges, then mark nothing present), counted over all
 * instances: one names one range, as the answers `PatternNeeds` keeps by generation need.
 */
export class RangeWords {
  private static clock = 0;
  present = new Float64Array(0);
  generation = 0;
  readonly distinct = new IntList(); // the range's distinct ids
  private lastIds: unknown = null;
  private lastFrom = 0;
  private lastTo = 0;

  /** Room for the ids of a vocabulary of `size` (a pack's vocabulary grows as each phrase set adds its words). */
  ensure(size: number): void {
    if (this.present.length >= size) return;
    this.present = new Float64Array(size + 64);
    this.lastIds = null;
  }

  /** Stamps the ids of tokens [from, to), unless they are the range stamped last; returns the range's generation. */
  stamp(ids: readonly (readonly number[] | null)[], from: number, to: number): number {
    if (ids === this.lastIds && from === this.lastFrom && to === this.lastTo) return this.generation;
    distinctIds(ids, from, to, this.present, (this.generation = ++RangeWords.clock), this.distinct);
    this.lastIds = ids;
    this.lastFrom = from;
    this.lastTo = to;
    return this.generation;
  }
}

/** Sentences and windows; whole posts (guards over a post or thread) apart, not stamped again after each sentence. */
export const rangeWords = new RangeWords();
export const postWords = new RangeWords();

/**
 * Many sets of word ids in flat typed arrays, each set's ids sorted and contiguous: a cold lookup
 * reads one or two cache lines, where a Set per list chased a hash table (and a list of a few
 * thousand Sets, each an object for a major GC to mark). A set of more than `SMALL` ids also has
 * a bitmap over its id range [lo, hi]: ids of a slot are given out together, so the range is
 * narrow, an id outside it is answered without a read, and one inside with one bit.
 */
export class IdSets {
  // Built by `add`, dropped by `freeze`.
  private atList: number[] = [0];
  private idsList: number[] = [];
  // Per set: where its ids start in `ids` (and end, at s + 1), its lowest and highest id, and
  // where its bitmap starts in `bits` (in 32-bit words), -1 when it has none.
  private at = new Int32Array(0);
  private ids = new Int32Array(0);
  private lo = new Int32Array(0);
  private hi = new Int32Array(0);
  private bitAt = new Int32Array(0);
  private bits = new Uint32Array(0);

  /** Sets with at most this many ids are scanned: as few reads as a bitmap probe, in one or two lines. */
  static readonly SMALL = 8;

  /** Adds the set of `ids` (duplicates allowed); returns its number. */
  add(ids: Iterable<number>): number {
    const sorted = [...new Set(ids)].sort((a, b) => a - b);
    for (const id of sorted) this.idsList.push(id);
    this.atList.push(this.idsList.length);
    return this.atList.length - 2;
  }

  get size(): number {
    return this.at.length === 0 ? this.atList.length - 1 : this.at.length - 1;
  }

  freeze(): void {
    this.at = Int32Array.from(this.atList);
    this.ids = Int32Array.from(this.idsList);
    this.atList = [];
    this.idsList = [];
    const n = this.at.length - 1;
    this.lo = new Int32Array(n);
    this.hi = new Int32Array(n).fill(-1);
    this.bitAt = new Int32Array(n).fill(-1);
    let words = 0;
    for (let s = 0; s < n; s++) {
      const from = this.at[s]!;
      const to = this.at[s + 1]!;
      if (to === from) continue;
      this.lo[s] = this.ids[from]!;
      this.hi[s] = this.ids[to - 1]!;
      if (to - from > IdSets.SMALL) {
        this.bitAt[s] = words;
        words += ((this.hi[s]! - this.lo[s]!) >>> 5) + 1;
      }
    }
    this.bits = new Uint32Array(words);
    for (let s = 0; s < n; s++) {
      const base = this.bitAt[s]!;
      if (base < 0) continue;
      for (let i = this.at[s]!, end = this.at[s + 1]!; i < end; i++) {
        const bit = this.ids[i]! - this.lo[s]!;
        this.bits[base + (bit >>> 5)]! |= 1 << (bit & 31);
      }
    }
  }

  /** How many ids set `s` holds. */
  count(s: number): number {
    return this.at[s + 1]! - this.at[s]!;
  }

  /** The ids of set `s`, ascending (a view, not a copy). */
  members(s: number): Int32Array {
    return this.ids.subarray(this.at[s]!, this.at[s + 1]!);
  }

  /** Is `id` in set `s`? */
  has(s: number, id: number): boolean {
    const lo = this.lo[s]!;
    if (id < lo || id > this.hi[s]!) return false;
    const base = this.bitAt[s]!;
    if (base >= 0) {
      const bit = id - lo;
      return (this.bits[base + (bit >>> 5)]! & (1 << (bit & 31))) !== 0;
    }
    for (let i = this.at[s]!, end = this.at[s + 1]!; i < end; i++) if (this.ids[i] === id) return true;
    return false;
  }

  /** Is any of `ids` in set `s`? */
  hasAny(s: number, ids: readonly number[]): boolean {
    for (let i = 0; i < ids.length; i++) if (this.has(s, ids[i]!)) return true;
    return false;
  }

  /**
   * Has set `s` an id among a range's distinct ids (stamped `gen` in `present`, listed in
   * `distinct`)? A small set's ids are looked up in `present`; a big one's bitmap is probed with
   * the range's ids, which the id range mostly answers without a read.
   */
  anyPresent(s: number, present: Float64Array, gen: number, distinct: IntList): boolean {
    if (this.bitAt[s]! < 0) {
      for (let i = this.at[s]!, end = this.at[s + 1]!; i < end; i++) if (present[this.ids[i]!] === gen) return true;
      return false;
    }
    const items = distinct.items;
    for (let i = 0; i < distinct.length; i++) if (this.has(s, items[i]!)) return true;
    return false;
  }
}

/**
 * The non-trigger requirements of every pattern of a phrase set in flat arrays, each distinct
 * word list once (patterns share slots), with its answer kept for the sentence that asked: a
 * sentence's check reads a few typed arrays instead of a pattern's objects, sets and arrays.
 */
export class PatternNeeds {
  // Built by `add`, dropped by `freeze`.
  private byKey = new Map<string, number>();
  private needsAtList: number[] = [0];
  private needsList: number[] = [];
  /** Every distinct word list, by its number in `needs`. */
  private readonly lists = new IdSets();
  // The lists above as typed arrays (`freeze`, after the last pattern).
  private needsAt = new Int32Array(0);
  private needs = new Int32Array(0);
  /** Per word list: the generation it was last answered in, and the answer (1 present). */
  private stamp = new Float64Array(0);
  private answer = new Uint8Array(0);

  /** The next pattern's requirements (patterns are numbered in the order they are added). */
  add(anchors: readonly Anchor[]): void {
    for (const anchor of anchors) {
      const ids = [...new Set(anchor.ids)];
      const key = ids.join(',');
      let r = this.byKey.get(key);
      if (r === undefined) this.byKey.set(key, (r = this.lists.add(ids)));
      this.needsList.push(r);
    }
    this.needsAtList.push(this.needsList.length);
  }

  freeze(): void {
    this.lists.freeze();
    this.needsAt = Int32Array.from(this.needsAtList);
    this.needs = Int32Array.from(this.needsList);
    this.byKey = new Map();
    this.needsAtList = [];
    this.needsList = [];
    this.stamp = new Float64Array(this.lists.size);
    this.answer = new Uint8Array(this.lists.size);
  }

  /** Does every requirement of pattern `p` have a word among the range's (stamped `gen` in `present`, listed in `distinct`)? */
  allPresent(p: number, present: Float64Array, gen: number, distinct: IntList): boolean {
    const { needs, stamp, answer } = this;
    for (let i = this.needsAt[p]!, end = this.needsAt[p + 1]!; i < end; i++) {
      const r = needs[i]!;
      if (stamp[r] !== gen) {
        stamp[r] = gen;
        answer[r] = this.lists.anyPresent(r, present, gen, distinct) ? 1 : 0;
      }
      if (answer[r] === 0) return false;
    }
    return true;
  }
}
