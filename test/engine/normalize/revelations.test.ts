import { describe, expect, it } from 'vitest';
import type { Revelation } from '../../../engine/decision.js';
import { REVEAL, revelationsOf } from '../../../engine/normalize/revelations.js';

/** The rule as first written: each revelation of REVEAL, in its order, whose bit the flags hold. */
function byName(flags: number): Revelation[] {
  return (Object.keys(REVEAL) as Revelation[]).filter((r) => (flags & REVEAL[r]) !== 0);
}

describe('revelationsOf', () => {
  it("gives the revelations of every combination of bits (and of bits beyond them), in REVEAL's order", () => {
    for (let flags = 0; flags < 1 << 13; flags++) expect(revelationsOf(flags), String(flags)).toEqual(byName(flags));
    for (const flags of [-1, 2 ** 31 - 1, 1 << 20, 64 | (1 << 20)]) expect(revelationsOf(flags)).toEqual(byName(flags));
  });

  it('gives a new list each time (findings may be changed by their owner)', () => {
    expect(revelationsOf(0)).not.toBe(revelationsOf(0));
  });
});
