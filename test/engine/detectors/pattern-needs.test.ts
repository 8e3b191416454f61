import { describe, expect, it } from 'vitest';
import { allHold, anyHolds, flatNeeds, holds, type Need } from '../../../engine/detectors/pattern-needs.js';

/** A deterministic integer below n at each call (an LCG), and random literal counts over 12 ids. */
function generator(seed: number): { next: (n: number) => number; found: () => Uint8Array } {
  const next = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
  return { next, found: () => Uint8Array.from({ length: 12 }, () => (next(3) === 0 ? 0 : 1 + next(3))) };
}

describe('allHold: a pattern scan set runs when some pattern has all its needs', () => {
  it('says what every(holds) says, on random literal counts and needs', () => {
    const { next, found: counts } = generator(11);
    let some = 0;
    for (let round = 0; round < 5_000; round++) {
      const found = counts();
      const needs: Need[] = Array.from({ length: 1 + next(3) }, () => ({
        ids: Array.from({ length: 1 + next(3) }, () => next(12)),
        count: 1 + next(4),
      }));
      const expected = needs.every((need) => holds(found, need));
      if (expected) some++;
      expect(allHold(found, needs)).toBe(expected);
    }
    expect(some).toBeGreaterThan(1_000);
    expect(some).toBeLessThan(4_000);
  });
});

describe('anyHolds over flatNeeds: what mayMatch asks of a set', () => {
  it('says what some(allHold) says, on random sets of patterns (none empty, as in a filtered set)', () => {
    const { next, found: counts } = generator(23);
    let some = 0;
    for (let round = 0; round < 5_000; round++) {
      const found = counts();
      const patterns: Need[][] = Array.from({ length: 1 + next(4) }, () =>
        Array.from({ length: 1 + next(4) }, () => ({ ids: Array.from({ length: 1 + next(4) }, () => next(12)), count: 1 + next(5) })),
      );
      const expected = patterns.some((needs) => allHold(found, needs));
      if (expected) some++;
      expect(anyHolds(found, flatNeeds(patterns))).toBe(expected);
    }
    expect(some).toBeGreaterThan(1_000);
    expect(some).toBeLessThan(4_000);
  });

  it('holds for a pattern of no lists (as allHold of none)', () => {
    expect(anyHolds(new Uint8Array(4), flatNeeds([[{ ids: [1], count: 1 }], []]))).toBe(true);
    expect(anyHolds(new Uint8Array(4), flatNeeds([[{ ids: [1], count: 1 }]]))).toBe(false);
  });
});
