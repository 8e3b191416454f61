/**
 * Self-censored words (engine/lexicon-censored.ts), through the matcher: here a hyphenated
 * word's self-censored part, issue 12 round three.
 */
import { describe, expect, it } from 'vitest';
import { LexiconMatcher } from '../../engine/lexicon-matcher.js';
import { hitsIn } from '../helpers/lexicon-hits.js';

const matcher = new LexiconMatcher([
  {
    id: 'en',
    language: 'en',
    variants: true,
    terms: ['fuck', 'fucking', 'shit', 'motherfucker', { term: 'fuck', compound: 'any' }, { term: 'shit', compound: 'any' }],
  },
]);

const hits = (text: string) => hitsIn(matcher, text);

describe('a self-censored part of a hyphenated word', () => {
  it('reads the part between hyphens on its own, and points at it', () => {
    expect(hits('mother-f***ing wifi')).toEqual([['fuck', 'f***ing', 'self_censoring']]);
    expect(hits('sh*t-faced again')).toEqual([['shit', 'sh*t', 'self_censoring']]);
    expect(hits('the mother-f*** left')).toEqual([['fuck', 'f***', 'self_censoring']]);
  });

  it('reads no hyphenated word whose parts are not self-censored terms', () => {
    expect(hits('f-stop, well-known x-ray, re-*-run, a-** b-*')).toEqual([]);
    expect(hits('@marcus_t quickcash_in, **Fresh** drops')).toEqual([]);
  });
});
