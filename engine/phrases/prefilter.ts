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

export function allPresent(needs: readonly Requirement[], present: Int32Array, gen: number, distinct: readonly number[]): boolean {
  for (let i = 0; i < needs.length; i++) if (!anyPresent(needs[i]!, present, gen, distinct)) return false;
  return true;
}

/** Is some word of `need` among the range's words (stamped `gen` in `present`, listed in `distinct`)? Walks the shorter side. */
function anyPresent(need: Requirement, present: Int32Array, gen: number, distinct: readonly number[]): boolean {
  if (need.ids.length <= distinct.length) {
    for (let i = 0; i < need.ids.length; i++) if (present[need.ids[i]!] === gen) return true;
    return false;
  }
  for (let i = 0; i < distinct.length; i++) if (need.set.has(distinct[i]!)) return true;
  return false;
}

export function hasAny(set: ReadonlySet<number>, ids: readonly number[]): boolean {
  for (const id of ids) if (set.has(id)) return true;
  return false;
}

/** The word ids of tokens [from, to), each once, marking them in `present` with `gen`. */
export function distinctIds(ids: readonly (readonly number[] | null)[], from: number, to: number, present: Int32Array, gen: number): number[] {
  const distinct: number[] = [];
  for (let t = from; t < to; t++) {
    const found = ids[t];
    if (!found) continue;
    for (const id of found) {
      if (present[id] === gen) continue;
      present[id] = gen;
      distinct.push(id);
    }
  }
  return distinct;
}
