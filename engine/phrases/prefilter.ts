/**
 * The cheap checks that keep a pattern from running where it cannot match: the words each of
 * its required elements needs, looked for among the distinct words of a token range.
 */
import type { Anchor } from './compile-patterns.js';

/** The words of one required element, as a list and as a set. */
export interface Requirement {
  ids: Int32Array;
  set: ReadonlySet<number>;
}

export function requirement(anchor: Anchor): Requirement {
  const set = new Set(anchor.ids);
  return { ids: Int32Array.from(set), set };
}

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

export function allPresent(needs: readonly Requirement[], present: Int32Array, gen: number, distinct: IntList): boolean {
  for (let i = 0; i < needs.length; i++) if (!anyPresent(needs[i]!, present, gen, distinct)) return false;
  return true;
}

/** Is some word of `need` among the range's words (stamped `gen` in `present`, listed in `distinct`)? Walks the shorter side. */
function anyPresent(need: Requirement, present: Int32Array, gen: number, distinct: IntList): boolean {
  const ids = need.ids;
  const count = distinct.length;
  if (ids.length <= count) {
    for (let i = 0; i < ids.length; i++) if (present[ids[i]!] === gen) return true;
    return false;
  }
  const items = distinct.items;
  for (let i = 0; i < count; i++) if (need.set.has(items[i]!)) return true;
  return false;
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
