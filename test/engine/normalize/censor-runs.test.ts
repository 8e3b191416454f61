/**
 * What a run of censoring symbols stands for (engine/normalize/censor-runs.ts), as the matching
 * view lists it: inside a word a few letters, at its end as many letters as symbols for stars,
 * a grawlix or dashes after a first letter, `f-` in a swearing context, `+` and `<` their letter.
 */
import { describe, expect, it } from 'vitest';
import { normalizeForMatching } from '../../../engine/normalize.js';

function runs(text: string): { min: number; max: number; letters?: string; inner: boolean; joiner: boolean; written: string }[] {
  return (normalizeForMatching(text).censors ?? []).map((r) => ({
    min: r.min,
    max: r.max,
    ...(r.letters === undefined ? {} : { letters: r.letters }),
    inner: r.inner,
    joiner: r.joiner,
    written: text.slice(r.start, r.end),
  }));
}

describe('censor runs', () => {
  it.each([
    ['f*ck', { min: 1, max: 3, inner: true, joiner: false, written: '*' }],
    ['f***', { min: 3, max: 3, inner: false, joiner: false, written: '***' }],
    ['F@#% this', { min: 3, max: 3, inner: false, joiner: false, written: '@#%' }],
    ['s#!% happens', { min: 3, max: 3, inner: false, joiner: false, written: '#!%' }],
    ['F@#%! this', { min: 3, max: 4, inner: false, joiner: false, written: '@#%!' }],
    ['f--- off', { min: 3, max: 3, inner: false, joiner: true, written: '---' }],
    ['f- off', { min: 3, max: 3, inner: false, joiner: true, written: '-' }],
    ['what the f-', { min: 3, max: 3, inner: false, joiner: true, written: '-' }],
    ['f—k', { min: 1, max: 3, inner: true, joiner: true, written: '—' }],
    ['sh!+ happens', { min: 1, max: 1, letters: 't', inner: false, joiner: false, written: '+' }],
    ['fu<k', { min: 1, max: 1, letters: 'c', inner: true, joiner: false, written: '<' }],
  ])('%j', (text, run) => {
    expect(runs(text)).toEqual([run]);
  });

  it('reads no letters into punctuation, grades, notes, suspended hyphens or stammers', () => {
    for (const text of [
      'fun! wh… ok',
      'C# and F# and A# minor',
      'C#!! is great',
      'an A- and a B- and an F- on it',
      'f- and g-values',
      'she said f- then stopped',
      'it was a-- I-- anyway',
      'i <3 u',
    ]) {
      expect(runs(text).filter((r) => !r.inner)).toEqual([]);
    }
  });

  it('reads `+` only as its letter, for the matcher to try as a whole word (`C++` spells nothing)', () => {
    expect(runs('C++ and Disney+').map((r) => r.letters)).toEqual(['tt', 't']);
  });
});
