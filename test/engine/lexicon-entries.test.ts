/**
 * The automaton's entries (engine/lexicon-entries.ts), through the matcher: here the respellings
 * of a term written with leetspeak digits, issue 12 round three.
 */
import { describe, expect, it } from 'vitest';
import { LexiconMatcher } from '../../engine/lexicon-matcher.js';
import { normalizeForMatching } from '../../engine/normalize.js';

const matcher = new LexiconMatcher([{ id: 'en', language: 'en', variants: true, terms: ['f4ck'], allow: ['faking', 'faq'] }]);

function hits(text: string): [string, string, string][] {
  return matcher.find(normalizeForMatching(text)).map((h) => [h.term, text.slice(h.start, h.end), h.revealed_by.join('+')]);
}

describe('a term written with leetspeak digits', () => {
  it('is respelt from its letters: f as ph with digits (`ph4ck1ng`)', () => {
    expect(hits('ph4ck1ng lag spikes')).toEqual([['f4ck', 'ph4ck1ng', 'leetspeak+phonetic']]);
    expect(hits('phack this')).toEqual([['f4ck', 'phack', 'phonetic']]);
  });

  it('keeps allow-listed words its respellings reach', () => {
    expect(hits('stop faking it, read the faq')).toEqual([]);
  });
});
