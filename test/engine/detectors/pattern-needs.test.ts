import { describe, expect, it } from 'vitest';
import { anyHolds, flatNeeds, type Need } from '../../../engine/detectors/pattern-needs.js';

/** The plain reading of a set's needs, the oracle: some pattern whose every need counts enough of its ids. */
const holds = (found: Uint8Array, { ids, count }: Need) => ids.reduce((sum, id) => sum + found[id]!, 0) >= count;
const someHolds = (found: Uint8Array, patterns: readonly (readonly Need[])[]) => patterns.some((needs) => needs.every((need) => holds(found, need)));

/** A deterministic integer below n at each call (an LCG), and random literal counts over 12 ids. */
function generator(seed: number): { next: (n: number) => number; found: () => Uint8Array } {
  const next = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
  return { next, found: () => Uint8Array.from({ length: 12 }, () => (next(3) === 0 ? 0 : 1 + next(3))) };
}

describe('anyHolds over flatNeeds: what mayMatch asks of a set', () => {
  it('says what the plain reading says, on random sets of patterns (none empty, as in a filtered set)', () => {
    const { next, found: counts } = generator(23);
    let some = 0;
    for (let round = 0; round < 5_000; round++) {
      const found = counts();
      const patterns: Need[][] = Array.from({ length: 1 + next(4) }, () =>
        Array.from({ length: 1 + next(4) }, () => ({ ids: Array.from({ length: 1 + next(4) }, () => next(12)), count: 1 + next(5) })),
      );
      const expected = someHolds(found, patterns);
      if (expected) some++;
      expect(anyHolds(found, flatNeeds(patterns))).toBe(expected);
    }
    expect(some).toBeGreaterThan(1_000);
    expect(some).toBeLessThan(4_000);
  });

  it('holds for a pattern of no lists (every need of none holds)', () => {
    expect(anyHolds(new Uint8Array(4), flatNeeds([[{ ids: [1], count: 1 }], []]))).toBe(true);
    expect(anyHolds(new Uint8Array(4), flatNeeds([[{ ids: [1], count: 1 }]]))).toBe(false);
  });
});
