/**
 * What an automaton match is worth (engine/lexicon-candidates.ts), through the matcher: here the
 * expletive infixed inside a longer word (tmesis), issue 12 round three.
 */
import { describe, expect, it } from 'vitest';
import { LexiconMatcher } from '../../engine/lexicon-matcher.js';
import { hitsIn } from '../helpers/lexicon-hits.js';

const matcher = new LexiconMatcher([
  {
    id: 'en',
    language: 'en',
    variants: true,
    terms: ['fuck', 'shit', 'bitch', { term: 'fuck', compound: 'any' }, { term: 'shit', compound: 'any' }, { term: 'bitch', compound: 'prefix' }],
  },
]);

const hits = (text: string) => hitsIn(matcher, text);

describe('tmesis: an expletive inside a longer word', () => {
  it("reads the participle of a term that may start or end a word inside one, and reports the whole word", () => {
    expect(hits('Absofuckinglutely buzzing')).toEqual([['fuck', 'Absofuckinglutely', 'compound']]);
    expect(hits('unfuckingbelievable. 94th minute')).toEqual([['fuck', 'unfuckingbelievable', 'compound']]);
    expect(hits('absofuckinlutely not')).toEqual([['fuck', 'absofuckinlutely', 'compound']]);
    expect(hits('fanshittingtastic')).toEqual([['shit', 'fanshittingtastic', 'compound']]);
  });

  it('reads no bare term, no prefix-only term and no short outer part in the middle of a word', () => {
    expect(hits('absofucklutely, abitchinglutely')).toEqual([]);
    expect(hits('afuckinglutely, absofuckingly')).toEqual([]);
    expect(hits('englishtown, mushiness, cushioning')).toEqual([]);
  });
});
