/** What a lexicon matcher finds in a text, as [term, the caller's text it spans, revealed_by joined with +]. */
import type { LexiconMatcher } from '../../engine/lexicon-matcher.js';
import { normalizeForMatching } from '../../engine/normalize.js';

export function hitsIn(matcher: LexiconMatcher, text: string): [string, string, string][] {
  return matcher.find(normalizeForMatching(text)).map((h) => [h.term, text.slice(h.start, h.end), h.revealed_by.join('+')]);
}
