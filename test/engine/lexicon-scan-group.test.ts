import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LexiconMatcher, type MatcherLexicon } from '../../engine/lexicon-matcher.js';
import { ScanGroup } from '../../engine/lexicon-scan-group.js';
import { normalizeForMatching } from '../../engine/normalize.js';

const require = createRequire(import.meta.url);
const LEO: string[] = (require('leo-profanity') as { list(): string[] }).list();

const STRONG: MatcherLexicon = { id: 'strong', terms: LEO, allow: ['scunthorpe'], variants: true };
const MILD: MatcherLexicon = { id: 'mild', terms: ['damn', 'hell', 'crap', 'ass', 'bloody hell'], allow: ['hello'] };
const ACCENTED: MatcherLexicon = { id: 'accented', terms: ['putain', 'connård'] };

describe('ScanGroup: matchers scanning a post once between them', () => {
  const group = new ScanGroup();
  const grouped = [STRONG, MILD, ACCENTED].map((l) => new LexiconMatcher([l], group));
  const alone = [STRONG, MILD, ACCENTED].map((l) => new LexiconMatcher([l]));

  it('finds what each matcher finds alone, whichever matcher reads a text first', () => {
    const texts = ['what the hell, damn ass sh1t', 'hello scunthorpe f u c k', 'putain de connård', 'bloody\nhell', 'a clean post'];
    for (const text of texts) {
      const n = normalizeForMatching(text);
      expect([2, 0, 1].map((i) => grouped[i]!.find(n))).toEqual([2, 0, 1].map((i) => alone[i]!.find(n)));
    }
  });

  it('agrees with the matchers alone on arbitrary texts', () => {
    const alphabet = fc.constantFrom(...'ashitdmnlcrpfuk *.\n1$@éå');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }).map((chars) => chars.join('')), (text) => {
        const n = normalizeForMatching(text);
        for (let i = 0; i < 3; i++) expect(grouped[i]!.find(n)).toEqual(alone[i]!.find(n));
      }),
      { numRuns: 500 },
    );
  });
});
