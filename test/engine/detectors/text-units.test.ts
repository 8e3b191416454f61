import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import twitterText from 'twitter-text';
import { asciiWeightedLength, countGraphemes, weightedLength, weightedLengthUpperBound } from '../../../engine/detectors/text-units.js';

const FAMILY = '👨‍👩‍👧‍👦';

describe('X weighted length: the upper bound and the ASCII count', () => {
  const { parseTweet } = twitterText;
  const pieces = fc.constantFrom(
    'a', ' ', '.', 'x.co', 'example.com', 'https://t.co/abc', 'é', 'e\u0301', '日', '😀', FAMILY, '#️⃣', '©', '\u0344',
    'a.中国', '\uFB2C', '\r\n', 'ạ', 'www.example.org/path?q=1', '\u2019', '。', '、', 'ｗ', '．', 'か', '\u3099',
    '한', '\u11A8', '\uF900', '例え.jp', '〰', '㊗', 'Ж', 'Ё', 'Е\u0308', '\u0483', 'привет.рф',
  );
  it('never under-estimates parseTweet (property)', () => {
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 120 }).map((a) => a.join('')), (text) => {
        expect(weightedLengthUpperBound(text)).toBeGreaterThanOrEqual(parseTweet(text).weightedLength);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives ASCII text (read by regular expression and indexOf) the bound of the loop over every unit (property)', () => {
    // The loop the ASCII path replaced: 1 a unit, and 23 for each `.` before a letter (or a unit above ASCII).
    const byLoop = (text: string): number => {
      let bound = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        const next = i + 1 < text.length ? text.charCodeAt(i + 1) : -1;
        bound += c >= 0x80 ? weightedLengthUpperBound(text[i]!) : 1;
        if (c === 0x2e && (next >= 0x80 || /[a-z]/i.test(String.fromCharCode(next)))) bound += 23;
      }
      return bound;
    };
    const ascii = fc.oneof(fc.constantFrom('.', '..', '.a', '.Z', '.@', '.[', '.`', '.{', 'a', ' ', '. ', '.\n', 'x.co'), fc.string({ unit: 'binary-ascii', maxLength: 4 }));
    const text = fc.array(fc.oneof(ascii, fc.constantFrom('é', '日', '😀')), { maxLength: 60 }).map((a) => a.join(''));
    fc.assert(fc.property(text, (t) => weightedLengthUpperBound(t) === byLoop(t)), { numRuns: 3000 });
    expect(weightedLengthUpperBound('a.b.c.')).toBe(6 + 2 * 23);
  });

  it('is exact for plain ASCII without dots', () => {
    expect(weightedLengthUpperBound('plain words, no links')).toBe(21);
  });

  it('counts ASCII text exactly as parseTweet does, URLs and all (property)', () => {
    const ascii = fc.oneof(
      fc.constantFrom('a', ' ', '.', '. ', 'a.b', 'x.co', 'example.com', 'https://t.co/abc', 'http://a.io/x?y=1', 'www.example.org/path?q=1', 'e.g.', '@x.com', 'foo.bar.', '\n'),
      fc.string({ unit: 'binary-ascii', maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(ascii, { maxLength: 120 }).map((a) => a.join('')), (text) => {
        expect(asciiWeightedLength(text)).toBe(parseTweet(text).weightedLength);
      }),
      { numRuns: 3000 },
    );
    expect(asciiWeightedLength(`${'a'.repeat(300)} https://example.com/${'p'.repeat(100)}`)).toBe(300 + 1 + 23);
    expect(asciiWeightedLength('naïve')).toBeUndefined();
  });

  it('is parseTweet on text that is not ASCII', () => {
    const text = `日本語 ${'é'.repeat(300)} https://example.com 😀`;
    expect(weightedLength(text)).toBe(parseTweet(text).weightedLength);
  });
});

describe('graphemes', () => {
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const clusters = fc.constantFrom(
    'a', ' ', '\r', '\n', '\r\n', 'é', '\u0301', FAMILY, '😀', '\u{1F3FD}', '\u200D', '\uFE0F', '©', '🇫🇷', '🇩', '日', '。',
    '한', '\u1100', '\u1161', '\u11A8', '\u0600', 'क', '\u094D', 'ष', '\u00AD', '\t', 'ｗ', '\uD800', '\u3099', 'Ж',
    '\u0483', '\u0489',
  );
  it('agrees with Intl.Segmenter on mixed text (property)', () => {
    fc.assert(
      fc.property(fc.array(clusters, { maxLength: 60 }).map((a) => a.join('')), (text) => {
        expect(countGraphemes(text)).toBe([...segmenter.segment(text)].length);
      }),
      { numRuns: 3000 },
    );
  });

  it('skips the segmenter for CJK and Latin', () => {
    expect(countGraphemes('日本語のテキスト、한국어 text\r\nｗ')).toBe(19);
  });

});
