import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FeatureTable } from '../../../engine/classifier/feature-table.js';
import { featureHash, featuresOf, wordsOf } from '../../../engine/classifier/features.js';
import { TextModel } from '../../../engine/classifier/model.js';

/** What the table was before its typed arrays: a Map of hash → slot and an array of names. */
function reference(names: readonly string[]): { slots: number[]; names: string[] } {
  const bySlot = new Map<number, number>();
  const kept: string[] = [];
  const slots = names.map((name) => {
    const hash = featureHash(name);
    if (!bySlot.has(hash)) bySlot.set(hash, kept.push(name) - 1);
    return bySlot.get(hash)!;
  });
  return { slots, names: kept };
}

describe('FeatureTable', () => {
  it('gives the slots and names a Map and an array of names gave, as it grows, for any names', () => {
    const name = fc.tuple(fc.constantFrom('w:', 'b:', 'c:'), fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom('kill', 'you', 'é', '🔪', '\ud83d')));
    fc.assert(
      fc.property(fc.array(name.map(([p, s]) => p + s), { maxLength: 300 }), (names) => {
        const table = new FeatureTable();
        const expected = reference(names);
        expect(names.map((n) => table.slotOf(n))).toEqual(expected.slots);
        expect(table.size).toBe(expected.names.length);
        expect(expected.names.map((_, slot) => table.nameOf(slot))).toEqual(expected.names);
      }),
    );
  });

  it('gives one slot to names of the same hash, named by the first', () => {
    // Two names with one FNV-1a hash (found by counting in base 36): a model file could hold both.
    const pair = ['w:7j9g', 'w:189i0'] as const;
    expect(featureHash(pair[0])).toBe(featureHash(pair[1]));
    const table = new FeatureTable();
    expect(table.slotOf(pair[0])).toBe(0);
    expect(table.slotOf(pair[1])).toBe(0);
    expect(table.nameOf(0)).toBe(pair[0]);
  });

  it('names the features of a model added after the table was read, wide names after narrow ones', () => {
    const table = new FeatureTable();
    const first = new TextModel({ label: 'a', bias: 0, threshold: 1, features: { 'w:kill': 2, 'b:kill you': 1 } }, table);
    const present = table.present(featuresOf(wordsOf(['kill you'])));
    expect(first.scorePresent(present).reasons.map((r) => r.name)).toEqual(['w:kill', 'b:kill you']);
    const second = new TextModel({ label: 'b', bias: 0, threshold: 1, features: { 'w:kill': 1, 'w:страх': 3 } }, table);
    const again = table.present(featuresOf(wordsOf(['kill страх'])));
    expect(second.scorePresent(again).reasons.map((r) => r.name)).toEqual(['w:страх', 'w:kill']);
    expect(first.scorePresent(again).reasons.map((r) => r.name)).toEqual(['w:kill']);
  });
});
