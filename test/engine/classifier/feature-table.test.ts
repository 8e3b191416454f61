import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FeatureTable } from '../../../engine/classifier/feature-table.js';
import { featureHash, featuresOf, wordsOf } from '../../../engine/classifier/features.js';
import { TextModel } from '../../../engine/classifier/model.js';
import { distinctFeatures } from '../../../engine/classifier/distinct.js';
import { SMALL_TEXT } from '../../../engine/classifier/slot-sets.js';

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
  it('scores each model of a shared table as the model alone, whatever the models before and after it', () => {
    const word = fc.constantFrom('kill', 'you', 'now', 'safe', 'flight', 'é', 'страх');
    const features = fc.dictionary(
      fc.tuple(fc.constantFrom('w:', 'b:', 'c:<'), word).map(([kind, w]) => kind + w),
      fc.oneof(fc.double({ min: -4, max: 4, noNaN: true }), fc.constant(0), fc.constant(-0)),
    );
    const spec = (f: Record<string, number>, normalize?: number) => ({ label: 'x', bias: -0.5, threshold: 0.1, features: f, ...(normalize ? { normalize } : {}) });
    fc.assert(
      fc.property(fc.array(features, { minLength: 1, maxLength: 4 }), fc.array(fc.array(word, { maxLength: 12 }), { minLength: 1, maxLength: 3 }), (files, posts) => {
        const table = new FeatureTable();
        const shared = files.map((f, i) => new TextModel(spec(f, i === 1 ? 4 : undefined), table));
        const list = featuresOf(wordsOf(posts.map((p) => p.join(' '))));
        const present = table.present(list);
        // Both in one pass, as the classifier check reads them, each hash looked up once.
        const slots = Array.from(table.slotsAt(list));
        const both = table.slotsAndPresent(list);
        expect(both.present).toEqual(present);
        expect(Array.from(both.slotAt)).toEqual(slots);
        files.forEach((f, i) => {
          const alone = new TextModel(spec(f, i === 1 ? 4 : undefined));
          const own = alone.table.present(featuresOf(wordsOf(posts.map((p) => p.join(' ')))));
          expect(shared[i]!.scoreOf(present)).toBe(alone.scoreOf(own));
          expect(shared[i]!.ceilingOf(present)).toBe(alone.ceilingOf(own));
          // Both in one pass, as the classifier check reads them: the same to the bit.
          expect(shared[i]!.scoreAndCeilingOf(present)).toEqual({ score: alone.scoreOf(own), ceiling: alone.ceilingOf(own) });
          const a = shared[i]!.scorePresent(present);
          const b = alone.scorePresent(own);
          expect(a.score).toBe(b.score);
          expect(a.reasons.map((r) => [r.name, r.weight])).toEqual(b.reasons.map((r) => [r.name, r.weight]));
          expect(shared[i]!.strongest(present, 3).map((r) => [r.name, r.weight])).toEqual(alone.strongest(own, 3).map((r) => [r.name, r.weight]));
          // The word features alone, letter pieces passed over by their slot: as the names say.
          expect(shared[i]!.strongestWords(present, 3)).toEqual(shared[i]!.strongest(present, 3, (name) => !name.startsWith('c:')));
        });
      }),
    );
  });
  it('counts the distinct features from the slots it found as a list never looked up counts them', () => {
    const word = fc.constantFrom('kill', 'you', 'now', 'safe', '7j9g', '189i0', 'é', 'страх', 'x');
    fc.assert(
      fc.property(fc.array(word, { maxLength: 6 }), fc.array(fc.array(word, { maxLength: 80, size: 'max' }), { minLength: 1, maxLength: 3 }), (known, posts) => {
        const table = new FeatureTable();
        // w:7j9g and w:189i0 share a hash: a post's other name of a known hash is not a new feature.
        new TextModel({ label: 'x', bias: 0, threshold: 1, features: Object.fromEntries(known.flatMap((w) => [[`w:${w}`, 1], [`c:<${w.slice(0, 2)}`, -1]])) }, table);
        const texts = posts.map((p) => p.join(' '));
        const list = featuresOf(wordsOf(texts));
        table.slotsAndPresent(list);
        // A post's list is counted as its hashes are looked up; a longer text's (slotsAt, stamps) on first need.
        expect(list.distinct === undefined).toBe(list.length > SMALL_TEXT);
        expect(distinctFeatures(list)).toBe(distinctFeatures(featuresOf(wordsOf(texts))));
      }),
    );
  });
  it('finds each slot present once, at its first occurrence not skipped, in a post and in a long text', () => {
    const table = new FeatureTable();
    for (let k = 0; k < 3000; k++) table.slotOf(`w:word${k}`);
    const list = featuresOf(wordsOf(['']));
    const occurrences = (min: number, max: number) =>
      fc.array(fc.tuple(fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 2999 }), fc.integer({ min: 0, max: 40 })), fc.boolean()), { minLength: min, maxLength: max });
    fc.assert(
      fc.property(fc.oneof(occurrences(0, 1024), occurrences(1000, 3000)), fc.boolean(), (pairs, skipping) => {
        const slotAt = Int32Array.from(pairs.map(([slot]) => slot));
        const skip = Uint8Array.from(pairs.map(([, s]) => (s ? 1 : 0)));
        const seen = new Set<number>();
        const at: number[] = [];
        slotAt.forEach((slot, i) => {
          if (slot < 0 || (skipping && skip[i] === 1) || seen.has(slot)) return;
          seen.add(slot);
          at.push(i);
        });
        const present = table.presentAt(slotAt, list, skipping ? skip : undefined);
        expect(present.at).toEqual(at);
        expect(present.slots).toEqual(at.map((i) => slotAt[i]));
      }),
      { numRuns: 200 },
    );
  });
});
