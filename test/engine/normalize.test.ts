import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeForMatching, normalizeTerm, type NormalizedText } from '../../engine/normalize.js';
import { CENSOR_CANDIDATE, LEET_CANDIDATE } from '../../engine/normalize/code-points.js';
import { collapse } from '../../engine/normalize/collapse.js';
import { applyLeetspeak, joinSpacedLetters, markCensors } from '../../engine/normalize/evasions.js';
import { REVEAL, revelationsOf, SENTENCE_BREAK } from '../../engine/normalize/revelations.js';
import { expand, units } from '../../engine/normalize/units.js';
import type { Revelation } from '../../engine/decision.js';

function union(n: NormalizedText): Revelation[] {
  return revelationsOf(n.flags.reduce((a, f) => a | f, 0));
}

/** Original text behind the whole matching view, first char to last. */
function covered(input: string, n: NormalizedText): string {
  return n.text.length === 0 ? '' : input.slice(n.start[0], n.end[n.text.length - 1]);
}

describe('normalizeForMatching: evasions', () => {
  const cases: { kind: string; input: string; text: string; runs?: number[]; reveals: Revelation[] }[] = [
    { kind: 'leetspeak digit', input: 'f4ck', text: 'fack', reveals: ['leetspeak'] },
    { kind: 'leetspeak digit', input: 'sh1t', text: 'shit', reveals: ['leetspeak'] },
    { kind: 'leetspeak $', input: '$hit', text: 'shit', reveals: ['leetspeak'] },
    { kind: 'leetspeak @ before a letter', input: '@ss', text: 'as', runs: [1, 2], reveals: ['leetspeak'] },
    { kind: 'leetspeak ! before a letter', input: 'sh!t', text: 'shit', reveals: ['leetspeak'] },
    { kind: 'leetspeak digits', input: 'a55', text: 'as', runs: [1, 2], reveals: ['leetspeak'] },
    { kind: 'repeats', input: 'fuuuuck', text: 'fuck', runs: [1, 4, 1, 1], reveals: ['repeats'] },
    { kind: 'separators .', input: 'f.u.c.k', text: 'fuck', reveals: ['separators'] },
    { kind: 'separators space', input: 'f u c k', text: 'fuck', reveals: ['separators'] },
    { kind: 'separators -', input: 'f-u-c-k', text: 'fuck', reveals: ['separators'] },
    { kind: 'separators mixed', input: 's_h*i|t', text: 'shit', reveals: ['separators'] },
    { kind: 'separators: emoji', input: 'f🔥u🔥c🔥k', text: 'fuck', reveals: ['separators'] },
    { kind: 'separators: spaced emoji', input: 'f 🔥 u 🔥 c 🔥 k', text: 'fuck', reveals: ['separators'] },
    { kind: 'separators: an emoji among spaces', input: 'f u 😤 c k', text: 'fuck', reveals: ['separators'] },
    { kind: 'one letter per line', input: 'f\nu\nc\nk', text: 'fuck', reveals: ['separators'] },
    { kind: 'one letter per line, indented', input: 'f\n u\r\n c \n k', text: 'fuck', reveals: ['separators'] },
    { kind: 'multi-symbol leetspeak |3', input: '|3itch', text: 'bitch', reveals: ['leetspeak'] },
    { kind: 'multi-symbol leetspeak |_| and |<', input: 'f|_|c|<', text: 'fuck', reveals: ['leetspeak'] },
    { kind: 'multi-symbol leetspeak () between letters', input: 'c()()n', text: 'con', runs: [1, 2, 1], reveals: ['leetspeak'] },
    { kind: 'multi-symbol leetspeak \\/ then a digit', input: '\\/3ry', text: 'very', reveals: ['leetspeak'] },
    { kind: 'zero-width', input: 'f\u200Bu\u200Dck', text: 'fuck', reveals: ['zero-width'] },
    { kind: 'soft hyphen', input: 'fu\u00ADck', text: 'fuck', reveals: ['zero-width'] },
    { kind: 'bidi control', input: 'fu\u202Eck', text: 'fuck', reveals: ['zero-width'] },
    { kind: 'homoglyph Cyrillic с', input: 'fu\u0441k', text: 'fuck', reveals: ['homoglyph'] },
    { kind: 'homoglyph Greek υ', input: 'f\u03C5ck', text: 'fuck', reveals: ['homoglyph'] },
    { kind: 'homoglyph Greek ο', input: 'p\u03BFrn', text: 'porn', reveals: ['homoglyph'] },
    { kind: 'homoglyph Cyrillic т (small-capital in the data)', input: 'shi\u0442', text: 'shit', reveals: ['homoglyph'] },
    { kind: 'accent precomposed', input: 'f\u00FCck', text: 'fuck', reveals: ['accent'] },
    { kind: 'accent combining', input: 'fu\u0308ck', text: 'fuck', reveals: ['accent'] },
    { kind: 'zalgo marks', input: 'f\u0338\u0322u\u0335c\u0337k', text: 'fuck', reveals: ['accent'] },
    { kind: 'long s', input: '\u017Fhit', text: 'shit', reveals: ['homoglyph'] },
    { kind: 'fullwidth', input: '\uFF46\uFF55\uFF43\uFF4B', text: 'fuck', reveals: ['homoglyph'] },
    { kind: 'math bold (astral)', input: '\u{1D41F}\u{1D42E}\u{1D41C}\u{1D424}', text: 'fuck', reveals: ['homoglyph'] },
    { kind: 'circled letters', input: '\u24D5\u24E4\u24D2\u24DA', text: 'fuck', reveals: ['homoglyph'] },
    { kind: 'case', input: 'FuCk', text: 'fuck', reveals: ['case'] },
  ];

  it.each(cases)('$kind: $input → $text', ({ input, text, runs, reveals }) => {
    const n = normalizeForMatching(input);
    expect(n.text).toBe(text);
    expect(Array.from(n.runs)).toEqual(runs ?? Array.from(text, () => 1));
    expect(union(n)).toEqual(reveals);
    expect(covered(input, n)).toBe(input); // the span is the evasive spelling as written
  });

  it('keeps per-char spans: an invisible char stays inside the word, a mark joins its letter', () => {
    const zw = normalizeForMatching('f\u200Buck');
    expect(Array.from(zw.start)).toEqual([0, 2, 3, 4]);
    expect(Array.from(zw.end)).toEqual([1, 3, 4, 5]);
    const mark = normalizeForMatching('fu\u0308ck');
    expect(Array.from(mark.start)).toEqual([0, 1, 3, 4]);
    expect(Array.from(mark.end)).toEqual([1, 3, 4, 5]);
  });

  it('maps one original char expanded by NFKD to the same span', () => {
    const n = normalizeForMatching('\uFB01ne'); // ﬁ ligature
    expect(n.text).toBe('fine');
    expect(Array.from(n.start)).toEqual([0, 0, 1, 2]);
    expect(Array.from(n.end)).toEqual([1, 1, 2, 3]);
  });

  it('collapses runs with the run length and their full original span', () => {
    const n = normalizeForMatching('fuuuck');
    expect(n.text).toBe('fuck');
    expect(Array.from(n.runs)).toEqual([1, 3, 1, 1]);
    expect([n.start[1], n.end[1]]).toEqual([1, 4]);
    expect(n.flags[1]! & REVEAL.repeats).toBe(REVEAL.repeats);
  });

  it('does not flag ordinary double letters as repeats', () => {
    const n = normalizeForMatching('bookkeeper');
    expect(n.text).toBe('bokeper');
    expect(Array.from(n.runs)).toEqual([1, 2, 2, 2, 1, 1, 1]);
    expect(union(n)).toEqual([]);
  });
});

describe('normalizeForMatching: what stays as it is', () => {
  it.each([
    ['1/5 and $5', 'and'],
    ['2024', ''],
    ['$5', ''],
    ['shit!', 'shit'],
    ['Hello,   World!! 2024', 'helo world'],
    ['  leading and trailing  ', 'leading and trailing'],
    ['a b', 'a b'], // two single letters are not joined
    ['a.b', 'a b'],
    ['f\n\nu\n\nc\n\nk', 'f u c k'], // one letter per paragraph is no word written down the page
    ['A\nB', 'a b'], // two lines of one letter are not a chain
    ['f. u. c. k', 'f u c k'], // two separator chars are not a chain
    ['email @ home', 'email home'], // `@` not before a letter
    ['😀 ok 😀', 'ok'],
    ['I ❤️ U', 'i u'], // two letters around an emoji are not a chain
    ['f🔥 u 🔥c', 'f u c'], // an emoji with a space on one side only is no separator
    ['f 🔥u🔥 c', 'f u c'],
  ])('%j → %j', (input, text) => {
    expect(normalizeForMatching(input).text).toBe(text);
  });

  it('does not apply leetspeak to tokens without letters', () => {
    const n = normalizeForMatching('score 1/5');
    expect(n.text).toBe('score');
    expect(union(n)).toEqual([]);
  });

  it('does not apply leetspeak to ordinals and decades (71st, 4th, 1990s)', () => {
    const n = normalizeForMatching('on 71st, the 4th time, the 1990s');
    expect(n.text).toBe('on st the th time the s');
    expect(union(n)).toEqual([]);
    expect(normalizeForMatching('5h1t').text).toBe('shit');
  });

  it('does not map ASCII through the confusables data (l stays l, I becomes i)', () => {
    expect(normalizeForMatching('Illegal').text).toBe('ilegal');
  });

  it('marks a space as a sentence break after sentence punctuation or a line break only', () => {
    const breakAt = (s: string) => {
      const n = normalizeForMatching(s);
      expect(n.text).toBe('kil you');
      return n.flags[3]! & SENTENCE_BREAK;
    };
    expect(breakAt('kill. you')).toBe(SENTENCE_BREAK);
    expect(breakAt('kill\nyou')).toBe(SENTENCE_BREAK);
    expect(breakAt('kill you')).toBe(0);
    expect(breakAt('kill.you')).toBe(0);
  });

  it('returns empty arrays for empty or letterless input', () => {
    for (const s of ['', '   ', '\u200B', '123 456']) {
      const n = normalizeForMatching(s);
      expect(n.text).toBe('');
      expect([n.start.length, n.end.length, n.runs.length, n.flags.length]).toEqual([0, 0, 0, 0]);
    }
  });
});

describe('normalizeTerm', () => {
  it('runs the same pipeline and returns plain runs', () => {
    expect(normalizeTerm('ass')).toEqual({ text: 'as', runs: [1, 2] });
    expect(normalizeTerm('buy followers')).toEqual({ text: 'buy folowers', runs: [1, 1, 1, 0, 1, 1, 2, 1, 1, 1, 1, 1] });
    expect(normalizeTerm('Kill  Yourself!')).toEqual({ text: 'kil yourself', runs: [1, 1, 2, 0, 1, 1, 1, 1, 1, 1, 1, 1] });
  });
});

describe('revelationsOf', () => {
  it('lists every set bit in a fixed order', () => {
    expect(revelationsOf(0)).toEqual([]);
    expect(revelationsOf(REVEAL.leetspeak | REVEAL.accent | SENTENCE_BREAK)).toEqual(['accent', 'leetspeak']);
  });
});

describe('normalizeForMatching: properties', () => {
  const utf16Unit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)); // lone surrogates included
  const evasive = fc.constantFrom('f', 'u', 'c', 'k', ' ', '.', '-', '4', '$', '@', '!', '\u200B', '\u0308', '\uFF46', '\u0441', '\uFB01', '\n');
  const anyText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    fc.string({ unit: utf16Unit, maxLength: 60 }),
    fc.string({ unit: fc.oneof(evasive, utf16Unit, fc.string({ unit: 'binary', maxLength: 1 })), maxLength: 60 }),
  );

  it('never throws and keeps every span inside the original text, in order', () => {
    fc.assert(
      fc.property(anyText, (input) => {
        const n = normalizeForMatching(input);
        const len = n.text.length;
        expect([n.start.length, n.end.length, n.runs.length, n.flags.length]).toEqual([len, len, len, len]);
        for (let i = 0; i < len; i++) {
          expect(n.start[i]).toBeGreaterThanOrEqual(0);
          expect(n.start[i]).toBeLessThanOrEqual(n.end[i]!);
          expect(n.end[i]).toBeLessThanOrEqual(input.length);
          if (i > 0) expect(n.start[i]).toBeGreaterThanOrEqual(n.start[i - 1]!);
          const space = n.text.charCodeAt(i) === 0x20;
          expect(n.runs[i]! === 0).toBe(space);
        }
        expect(n.text).not.toMatch(/^ | $| {2}/);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('yields only letters and single spaces, never a lone surrogate', () => {
    fc.assert(
      fc.property(anyText, (input) => {
        const n = normalizeForMatching(input);
        expect(n.text).toMatch(/^[\p{L} ]*$/u); // the u flag makes a lone surrogate fail this
        expect(normalizeTerm(input).text).toBe(n.text);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('normalizeForMatching: passes skipped when the post gives them nothing to do', () => {
  /** The pipeline with every pass run, whatever `expand` noted. */
  function everyPass(text: string): NormalizedText {
    const n = applyLeetspeak(expand(text));
    markCensors(n, text);
    joinSpacedLetters(n);
    return collapse(n);
  }
  const plain = (n: NormalizedText) => ({ ...n, start: [...n.start], end: [...n.end], runs: [...n.runs], flags: [...n.flags] });
  // Prose with every kind of candidate, and with none: letters, single letters, spaces, line breaks, punctuation.
  const prose = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzAIFUCK  \n.,;:\'"', 'the ', 'a ', 'I ', 'ok. ', 'f u c k', 's.h.i.t', 'f\nu\nc\nk');
  const candidate = fc.constantFrom(...'0123456789$@!|()/\\*#%?_-^~&+<{=>', '\u2026', '\u2022', '\u2013', '\uFF14', '\uFF03', '\u200B', '\u0308', '\uFB01');
  const texts = fc.oneof(
    fc.string({ unit: prose, maxLength: 60 }),
    fc.string({ unit: fc.oneof({ weight: 6, arbitrary: prose }, { weight: 1, arbitrary: candidate }), maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 60 }),
  );

  it('gives the same view as running every pass', () => {
    fc.assert(
      fc.property(texts, (input) => {
        expect(plain(normalizeForMatching(input))).toEqual(plain(everyPass(input)));
      }),
      { seed: 7, numRuns: 2000 },
    );
  });

  it('notes leetspeak anywhere and a censoring symbol only right after a letter', () => {
    const noted = (text: string) => (expand(text), units.candidates);
    expect(noted('Reading the error message carefully. #AI')).toBe(0);
    expect(noted('so-called')).toBe(CENSOR_CANDIDATE);
    expect(noted('what?')).toBe(CENSOR_CANDIDATE);
    expect(noted('in 2024')).toBe(LEET_CANDIDATE);
    expect(noted('sh!t')).toBe(LEET_CANDIDATE | CENSOR_CANDIDATE);
    expect(noted('\uFF14ss')).toBe(LEET_CANDIDATE); // fullwidth 4: an ASCII digit once folded
    expect(noted('f\u2026k') & CENSOR_CANDIDATE).toBe(CENSOR_CANDIDATE);
  });
});
