/**
 * Where patterns start (`StartPlan.inject`): on long ranges from an index of the range's words,
 * it must give the very pairs, in the very order, of the one test per token and pattern it
 * replaces (the automaton's scan reads them in that order), whatever the patterns' first words.
 */
import { describe, expect, it } from 'vitest';
import { IdSets, IntList } from '../../../engine/phrases/prefilter.js';
import { INDEX_FROM, StartPlan } from '../../../engine/phrases/start-plan.js';
// mulberry32, seeded so that a failure can be replayed.
import { rng as random } from '../../bench/lib/inputs.js';

/** The rule `inject` keeps: per token ascending, each pattern in the order added that any word of the token begins (or any token, for -1). */
function reference(ids: readonly (readonly number[] | null)[], from: number, to: number, sets: IdSets, firsts: number[], starts: number[]): number[] {
  const out: number[] = [];
  for (let t = from; t < to; t++) {
    const token = ids[t];
    firsts.forEach((first, v) => {
      if (first < 0 || (token && sets.hasAny(first, token))) out.push(t, starts[v]!);
    });
  }
  return out;
}

function injected(plan: StartPlan, ids: readonly (readonly number[] | null)[], from: number, to: number, sets: IdSets, firsts: number[], starts: number[], vocab: number): number[] {
  // The range's words, stamped as `rangeWords` does; ids past `vocab` are left unmarked, like a word past `present`.
  const present = new Float64Array(vocab);
  for (let t = from; t < to; t++) for (const id of ids[t] ?? []) if (id < vocab) present[id] = 7;
  plan.clear();
  firsts.forEach((first, v) => plan.add(first, starts[v]!));
  const out = new IntList();
  plan.inject(ids, from, to, sets, present, 7, out);
  return [...out.items.subarray(0, out.length)];
}

describe('StartPlan.inject', () => {
  it('gives the pairs of the per-token test, in its order, on long ranges and short ones', () => {
    const plan = new StartPlan();
    let indexedRuns = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const rnd = random(seed);
      const vocab = 50 + Math.floor(rnd() * 400);
      const pick = (): number => Math.floor(rnd() * (vocab + 10)); // a few ids past the marked ones
      const sets = new IdSets();
      const setCount = 1 + Math.floor(rnd() * 30);
      for (let s = 0; s < setCount; s++) {
        // Small sets (scanned), big ones (bitmaps), some bigger than the range (tested per token).
        const size = rnd() < 0.2 ? 200 + Math.floor(rnd() * 300) : 1 + Math.floor(rnd() * 20);
        sets.add(Array.from({ length: size }, pick));
      }
      sets.freeze();
      const patterns = 1 + Math.floor(rnd() * 40);
      const firsts = Array.from({ length: patterns }, () => (rnd() < 0.05 ? -1 : Math.floor(rnd() * setCount)));
      const starts = Array.from({ length: patterns }, () => Math.floor(rnd() * 10_000));
      const length = rnd() < 0.3 ? Math.floor(rnd() * 40) : 100 + Math.floor(rnd() * 3000);
      const ids = Array.from({ length }, () => {
        const r = rnd();
        if (r < 0.15) return null;
        if (r < 0.3) return [pick(), pick(), pick()].slice(0, 2 + Math.floor(rnd() * 2));
        return [pick()];
      });
      const from = Math.floor(rnd() * Math.min(length, 20));
      const to = length - Math.floor(rnd() * Math.min(length - from, 20));
      if ((to - from) * patterns > INDEX_FROM) indexedRuns++;
      expect(injected(plan, ids, from, to, sets, firsts, starts, vocab), `seed ${seed}`).toEqual(reference(ids, from, to, sets, firsts, starts));
    }
    expect(indexedRuns).toBeGreaterThan(20);
  });

  it('on one endless sentence of every first word, starts each pattern at each of its words', () => {
    const sets = new IdSets();
    for (let s = 0; s < 100; s++) sets.add([s, s + 1, 1000 + (s % 3)]);
    sets.freeze();
    const firsts = Array.from({ length: 100 }, (_, v) => v);
    const starts = firsts.map((v) => 5000 + v);
    const ids = Array.from({ length: 2000 }, (_, t) => (t % 7 === 0 ? [t % 101, 1000 + (t % 4)] : [t % 101]));
    expect(injected(new StartPlan(), ids, 0, ids.length, sets, firsts, starts, 1004)).toEqual(reference(ids, 0, ids.length, sets, firsts, starts));
  });
});
