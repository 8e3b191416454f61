/**
 * The cheap checks that keep a pattern from running where it cannot match: the words each of
 * its required elements needs, looked for among the distinct words of a token range.
 */
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

export function hasAny(set: ReadonlySet<number>, ids: readonly number[]): boolean {
  for (let i = 0; i < ids.length; i++) if (set.has(ids[i]!)) return true;
  return false;
}

/** The word ids of tokens [from, to), each once, into `out` (emptied first), marking them in `present` with `gen`. */
export function distinctIds(ids: readonly (readonly number[] | null)[], from: number, to: number, present: Int32Array, gen: number, out: IntList): void {
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
 * The non-trigger requirements of every pattern of a phrase set in flat arrays, each distinct
 * word list once (patterns share slots), with its answer kept for the sentence that asked: a
 * sentence's check reads a few typed arrays instead of a pattern's objects, sets and arrays.
 */
export class PatternNeeds {
  // Built by `add`, dropped by `freeze` (all but `sets`, read by `anyPresent`).
  private byKey = new Map<string, number>();
  private readonly sets: (ReadonlySet<number> | null)[] = [];
  private idsAtList: number[] = [0];
  private idsList: number[] = [];
  private needsAtList: number[] = [0];
  private needsList: number[] = [];
  // The lists above as typed arrays (`freeze`, after the last pattern).
  private idsAt = new Int32Array(0);
  private ids = new Int32Array(0);
  private needsAt = new Int32Array(0);
  private needs = new Int32Array(0);
  /** Per word list: the generation it was last answered in, and the answer (1 present). */
  private stamp = new Int32Array(0);
  private answer = new Uint8Array(0);

  /** The next pattern's requirements (patterns are numbered in the order they are added). */
  add(anchors: readonly Anchor[]): void {
    for (const anchor of anchors) {
      const ids = [...new Set(anchor.ids)];
      const key = ids.join(',');
      let r = this.byKey.get(key);
      if (r === undefined) {
        this.byKey.set(key, (r = this.sets.length));
        this.sets.push(ids.length > 1 ? new Set(ids) : null);
        this.idsList.push(...ids);
        this.idsAtList.push(this.idsList.length);
      }
      this.needsList.push(r);
    }
    this.needsAtList.push(this.needsList.length);
  }

  freeze(): void {
    this.idsAt = Int32Array.from(this.idsAtList);
    this.ids = Int32Array.from(this.idsList);
    this.needsAt = Int32Array.from(this.needsAtList);
    this.needs = Int32Array.from(this.needsList);
    this.byKey = new Map();
    this.idsAtList = [];
    this.idsList = [];
    this.needsAtList = [];
    this.needsList = [];
    this.stamp = new Int32Array(this.sets.length);
    this.answer = new Uint8Array(this.sets.length);
  }

  /** Does every requirement of pattern `p` have a word among the range's (stamped `gen` in `present`, listed in `distinct`)? */
  allPresent(p: number, present: Int32Array, gen: number, distinct: IntList): boolean {
    const { needs, stamp, answer } = this;
    for (let i = this.needsAt[p]!, end = this.needsAt[p + 1]!; i < end; i++) {
      const r = needs[i]!;
      if (stamp[r] !== gen) {
        stamp[r] = gen;
        answer[r] = this.anyPresent(r, present, gen, distinct) ? 1 : 0;
      }
      if (answer[r] === 0) return false;
    }
    return true;
  }

  /** Walks the shorter side: the list's words in `present`, or the range's words in the list's set. */
  private anyPresent(r: number, present: Int32Array, gen: number, distinct: IntList): boolean {
    const from = this.idsAt[r]!;
    const to = this.idsAt[r + 1]!;
    const count = distinct.length;
    if (to - from <= count) {
      for (let i = from; i < to; i++) if (present[this.ids[i]!] === gen) return true;
      return false;
    }
    const set = this.sets[r]!;
    const items = distinct.items;
    for (let i = 0; i < count; i++) if (set.has(items[i]!)) return true;
    return false;
  }
}
