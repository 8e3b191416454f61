/**
 * The automaton's entries (engine/lexicon-entries.ts), through the matcher: here the respellings
 * of a term written with leetspeak digits, issue 12 round three.
 */
import { describe, expect, it } from 'vitest';
import { LexiconMatcher } from '../../engine/lexicon-matcher.js';
import { hitsIn } from '../helpers/lexicon-hits.js';

const matcher = new LexiconMatcher([{ id: 'en', language: 'en', variants: true, terms: ['f4ck'], allow: ['faking', 'faq'] }]);

const hits = (text: string) => hitsIn(matcher, text);

describe('a term written with leetspeak digits', () => {
  it('is respelt from its letters: f as ph with digits (`ph4ck1ng`)', () => {
    expect(hits('ph4ck1ng lag spikes')).toEqual([['f4ck', 'ph4ck1ng', 'leetspeak+phonetic']]);
    expect(hits('phack this')).toEqual([['f4ck', 'phack', 'phonetic']]);
  });

  it('keeps allow-listed words its respellings reach', () => {
    expect(hits('stop faking it, read the faq')).toEqual([]);
  });
});
