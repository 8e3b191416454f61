/**
 * The range scratches (`RangeWords`): the sentences' and the whole posts' are separate
 * instances, and `PatternNeeds` keeps its answers by generation, so a generation must name one
 * range of one instance: answers asked with either instance's stamps, interleaved, must be the
 * ones each range gives on its own.
 */
import { describe, expect, it } from 'vitest';
import { PatternNeeds, RangeWords } from '../../../engine/phrases/prefilter.js';
// mulberry32, seeded so that a failure can be replayed.
import { rng as random } from '../../bench/lib/inputs.js';

const VOCAB = 40;

describe('RangeWords', () => {
  it('gives one range of one instance its own generation, and keeps it while the range is stamped again', () => {
    const a = new RangeWords();
    const b = new RangeWords();
    a.ensure(VOCAB);
    b.ensure(VOCAB);
    const ids = [[1], [2, 3], null, [3]];
    const first = a.stamp(ids, 0, 2);
    const post = b.stamp(ids, 0, 4);
    const second = a.stamp(ids, 1, 4);
    expect(new Set([first, post, second]).size).toBe(3);
    expect(b.stamp(ids, 0, 4)).toBe(post);
    expect([...b.distinct.items.subarray(0, b.distinct.length)]).toEqual([1, 2, 3]);
  });

  it('lets PatternNeeds answer each range as it would alone, with two instances stamping in turn', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rnd = random(seed);
      const pick = (n: number): number => Math.floor(rnd() * n);
      const needs = new PatternNeeds();
      const patterns = Array.from({ length: 30 }, () => Array.from({ length: 1 + pick(3) }, () => Array.from({ length: 1 + pick(4) }, () => pick(VOCAB))));
      for (const lists of patterns) needs.add(lists.map((ids) => ({ ids, cost: 0 })));
      needs.freeze();
      const scratches = [new RangeWords(), new RangeWords()];
      for (const words of scratches) words.ensure(VOCAB);
      const posts = Array.from({ length: 3 }, () => Array.from({ length: 12 }, () => (rnd() < 0.2 ? null : Array.from({ length: 1 + pick(2) }, () => pick(VOCAB)))));
      for (let step = 0; step < 200; step++) {
        const words = scratches[pick(2)]!;
        const ids = posts[pick(posts.length)]!;
        const from = pick(ids.length);
        const to = from + 1 + pick(ids.length - from);
        const gen = words.stamp(ids, from, to);
        const range = new Set(ids.slice(from, to).flatMap((found) => found ?? []));
        const p = pick(patterns.length);
        const expected = patterns[p]!.every((list) => list.some((id) => range.has(id)));
        expect(needs.allPresent(p, words.present, gen, words.distinct), `seed ${seed}, step ${step}`).toBe(expected);
      }
    }
  });
});
