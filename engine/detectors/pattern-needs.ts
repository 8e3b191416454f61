/**
 * What a post must contain for a pattern of the pack scan (pattern-scan.ts) to match, as literal
 * lists with counts: each of its `requiredLiterals` once, and its `countedLiterals` as often as
 * they say (`(#\w+\s*){10,}` runs only on a post with ten `#`, not on every post with a hashtag).
 */
import { countedLiterals, requiredLiterals } from './pattern-literals.js';

/** What a post's literal counts go up to (a Uint8Array); a count asked for above it asks for this many (still a necessary condition). */
export const MAX_COUNT = 255;

/** Literal ids of which a post must hold `count` occurrences or more. */
export interface Need {
  ids: readonly number[];
  count: number;
}

/** A pattern's literal lists and how many occurrences of each it needs; none when it requires no literal. */
export function literalNeeds(source: string, flags: string): { list: string[]; count: number }[] {
  const required = requiredLiterals(source, flags).map((list) => ({ list, count: 1 }));
  if (required.length === 0) return [];
  return [...required, ...countedLiterals(source, flags).map(({ list, count }) => ({ list, count: Math.min(count, MAX_COUNT) }))];
}

/**
 * A set's patterns' needs end to end in one array, for `anyHolds`: per pattern the offset past
 * its record, then per list its count, its length and its ids. Walking arrays of {ids, count}
 * per pattern took ~65 ns a pattern (~4 µs of the bench's post with violations, 66 patterns).
 */
export function flatNeeds(patterns: readonly (readonly Need[])[]): Int32Array {
  const out: number[] = [];
  for (const needs of patterns) {
    const at = out.push(0) - 1;
    for (const { ids, count } of needs) out.push(count, ids.length, ...ids);
    out[at] = out.length;
  }
  return Int32Array.from(out);
}

/**
 * Whether some pattern of `flatNeeds` has every need in `found`: a need holds when `found` (per
 * literal id, its occurrences) counts `count` of its ids (two strings at one position both count:
 * never too few).
 */
export function anyHolds(found: Uint8Array, plan: Int32Array): boolean {
  for (let p = 0; p < plan.length; ) {
    const end = plan[p++]!;
    while (p < end) {
      const count = plan[p]!;
      const last = p + 2 + plan[p + 1]!;
      let sum = 0;
      for (let i = p + 2; i < last && sum < count; i++) sum += found[plan[i]!]!;
      if (sum < count) break;
      p = last;
    }
    if (p === end) return true;
    p = end;
  }
  return false;
}
