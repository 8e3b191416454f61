import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LexiconMatcher, type LexiconHit } from '../../engine/lexicon-matcher.js';
import { normalizeForMatching } from '../../engine/normalize.js';

const require = createRequire(import.meta.url);
const LEO: string[] = (require('leo-profanity') as { list(): string[] }).list();
const PHRASES = ['kill you', 'kill myself', 'kill yourself', 'buy followers'];

const matcher = new LexiconMatcher([...LEO, ...PHRASES], ['kill you with kindness']);

function find(text: string, m: LexiconMatcher = matcher): LexiconHit[] {
  return m.find(normalizeForMatching(text));
}

/** [term, text as written, revealed_by] per hit. */
function spans(text: string, m: LexiconMatcher = matcher): [string, string, string][] {
  return find(text, m).map((h) => [h.term, text.slice(h.start, h.end), h.revealed_by.join('+')]);
}

describe('LexiconMatcher with leo-profanity: evasions are caught and spans point at what was written', () => {
  it.each([
    ['leetspeak digit', 'what sh1t', ['shit', 'sh1t', 'leetspeak']],
    ['leetspeak $', 'total $hit', ['shit', '$hit', 'leetspeak']],
    ['leetspeak @', 'you @ss', ['ass', '@ss', 'leetspeak']],
    ['leetspeak !', 'oh sh!t', ['shit', 'sh!t', 'leetspeak']],
    ['leetspeak several', 'b1tch', ['bitch', 'b1tch', 'leetspeak']],
    ['repeats', 'fuuuuck this', ['fuck', 'fuuuuck', 'repeats']],
    ['separators .', 'what the f.u.c.k', ['fuck', 'f.u.c.k', 'separators']],
    ['separators space', 'what the f u c k', ['fuck', 'f u c k', 'separators']],
    ['separators -', 'f-u-c-k off', ['fuck', 'f-u-c-k', 'separators']],
    ['zero-width', 'f\u200Bu\u200Dck it', ['fuck', 'f\u200Bu\u200Dck', 'zero-width']],
    ['homoglyph Cyrillic', 'fu\u0441k', ['fuck', 'fu\u0441k', 'homoglyph']],
    ['homoglyph Greek', 'f\u03C5ck', ['fuck', 'f\u03C5ck', 'homoglyph']],
    ['accent', 'f\u00FCck', ['fuck', 'f\u00FCck', 'accent']],
    ['combining accent', 'fu\u0308ck', ['fuck', 'fu\u0308ck', 'accent']],
    ['long s', '\u017Fhit', ['shit', '\u017Fhit', 'homoglyph']],
    ['fullwidth', '\uFF46\uFF55\uFF43\uFF4B', ['fuck', '\uFF46\uFF55\uFF43\uFF4B', 'homoglyph']],
    ['math bold (astral)', 'oh \u{1D42C}\u{1D421}\u{1D422}\u{1D42D}', ['shit', '\u{1D42C}\u{1D421}\u{1D422}\u{1D42D}', 'homoglyph']],
    ['mixed case', 'FuCk', ['fuck', 'FuCk', 'case']],
    ['several at once', 'f\u200B\u00FC\u00FCck', ['fuck', 'f\u200B\u00FC\u00FCck', 'accent+zero-width']],
    ['leet + repeats', 'sh1iiit', ['shit', 'sh1iiit', 'leetspeak+repeats']],
  ])('%s: %j', (_kind, text, expected) => {
    expect(spans(text)).toEqual([expected]);
  });

  it('does not report ordinary capitalisation as an evasion', () => {
    expect(spans('FUCK')).toEqual([['fuck', 'FUCK', '']]);
    expect(spans('Fuck')).toEqual([['fuck', 'Fuck', '']]);
  });

  it('reports offsets in the original text', () => {
    const text = '🚀 Great launch, but the f.u.c.k-ups were sh1t.';
    expect(find(text).map((h) => [h.start, h.end])).toEqual([
      [text.indexOf('f.u.c.k'), text.indexOf('f.u.c.k') + 7],
      [text.indexOf('sh1t'), text.indexOf('sh1t') + 4],
    ]);
  });

  it('catches the inflections the suffix rule allows', () => {
    expect(spans('fucks fucking shitty fuckin raped asses').map(([term, as]) => [term, as])).toEqual([
      ['fuck', 'fucks'],
      ['fucking', 'fucking'],
      ['shitty', 'shitty'],
      ['fuckin', 'fuckin'],
      ['rape', 'raped'],
      ['ass', 'asses'],
    ]);
  });

  it('does not treat derivations as inflections (butt/butter, spic/spicy, cock/cocky)', () => {
    expect(spans('spicy butter, a cocky scatter')).toEqual([]);
  });

  it('returns non-overlapping hits in text order', () => {
    expect(spans('shit, shit and more shit').map(([, as]) => as)).toEqual(['shit', 'shit', 'shit']);
  });
});

describe('LexiconMatcher: no Scunthorpe false positives', () => {
  const benign = [
    'assassin', 'Scunthorpe', 'classic', 'cocktail', 'therapist', 'Penistone', 'Dickinson', 'cockpit', 'shiitake',
    'rapeseed', 'pussycat', 'grass', 'bass', 'Essex', 'Sussex', 'cumulative', 'document', 'analysis', 'canal',
    'button', 'title', 'hello', 'as', 'class', 'passage', 'assessment', 'grape', 'skills', 'shell', 'Hancock',
  ];
  it.each(benign)('%s', (word) => {
    expect(find(`${word} ${word.toUpperCase()} (${word}).`)).toEqual([]);
  });

  it('stays quiet on a clean post', () => {
    const post = "Shipping our new release today! We rewrote the scheduler so long-running jobs no longer block the queue. Thanks to everyone who tested the betas; notes are on the blog. Score: 4/5, 2024 edition, $5 off.";
    expect(find(post)).toEqual([]);
  });
});

describe('LexiconMatcher: run verification', () => {
  it('does not match `ass` on `as`, but does on `ass` and `asss`', () => {
    expect(find('as')).toEqual([]);
    expect(spans('ass')).toEqual([['ass', 'ass', '']]);
    expect(spans('asss')).toEqual([['ass', 'asss', 'repeats']]);
  });

  it('keeps every term that shares a collapsed form', () => {
    const m = new LexiconMatcher(['ass', 'as']);
    expect(spans('as', m)).toEqual([['as', 'as', '']]);
    expect(spans('ass', m)).toEqual([['ass', 'ass', '']]);
    expect(m.size).toBe(2);
  });
});

describe('LexiconMatcher: multi-word phrases', () => {
  it('matches across any non-letters inside one sentence', () => {
    expect(spans('I will kill you')).toEqual([['kill you', 'kill you', '']]);
    expect(spans('buy   followers now')).toEqual([['buy followers', 'buy   followers', '']]);
    expect(spans('buy-followers')).toEqual([['buy followers', 'buy-followers', '']]);
    expect(spans('I want to kill myself')).toEqual([['kill myself', 'kill myself', '']]);
  });

  it('prefers the longest phrase at one start', () => {
    expect(spans('go kill yourself')).toEqual([['kill yourself', 'kill yourself', '']]);
  });

  it('matches a phrase spelled out letter by letter', () => {
    expect(spans('k i l l y o u')).toEqual([['kill you', 'k i l l y o u', 'separators']]);
  });

  it('does not match a phrase written as one ordinary word', () => {
    expect(find('killyou')).toEqual([]);
  });

  it('does not match across a sentence or line break', () => {
    expect(find('I could kill. You know what I mean')).toEqual([]);
    expect(find('what a skill\nyou have')).toEqual([]);
    expect(find('we kill\nyou laugh')).toEqual([]);
  });
});

describe('LexiconMatcher: allow-list', () => {
  it('suppresses a hit inside an allowed phrase, and only there', () => {
    expect(find('kill you with kindness')).toEqual([]);
    expect(spans('I will kill you with a knife')).toEqual([['kill you', 'kill you', '']]);
  });

  it('suppresses a single-word hit', () => {
    const m = new LexiconMatcher(LEO, ['suck']);
    expect(find('this sucks', m)).toEqual([]); // `suck` + `s` is covered by the allowed `suck` + `s`
    expect(find('suck', m)).toEqual([]);
    expect(spans('this suck', matcher)).toEqual([['suck', 'suck', '']]);
  });

  it('fixes a suffix-rule false positive when the word is allow-listed', () => {
    expect(spans('butted cocked').map(([term, as]) => [term, as])).toEqual([
      ['butt', 'butted'],
      ['cock', 'cocked'],
    ]);
    const m = new LexiconMatcher(LEO, ['butted', 'cocked']);
    expect(find('butted cocked', m)).toEqual([]);
    expect(spans('butt cock', m).map(([term]) => term)).toEqual(['butt', 'cock']);
  });
});

describe('LexiconMatcher: construction', () => {
  it('drops terms with no letters and handles an empty lexicon', () => {
    const m = new LexiconMatcher(['69', '', '...', 'shit']);
    expect(m.size).toBe(1);
    expect(spans('sh1t 69', m)).toEqual([['shit', 'sh1t', 'leetspeak']]);
    expect(find('anything', new LexiconMatcher([]))).toEqual([]);
  });

  it('matches non-ASCII lexicon terms', () => {
    const m = new LexiconMatcher(['дурак']);
    expect(spans('ты дурак!', m)).toEqual([['дурак', 'дурак', '']]);
  });

  it('finds ASCII terms next to non-ASCII text', () => {
    expect(spans('今天 shit 了')).toEqual([['shit', 'shit', '']]);
    expect(find('今天shit了')).toEqual([]); // not a separate word
  });
});

describe('LexiconMatcher: properties', () => {
  const words = fc.constantFrom('fuck', 'sh1t', 'f.u.c.k', 'ass', 'as', 'kill', 'you', 'the', 'classic', '\u200B', '\u0308', '\uFF46', ' ', '. ', '\n', '$', '@', '!');
  const unit = fc.oneof(words, fc.string({ unit: 'binary', maxLength: 3 }), fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)));

  it('every hit span lies inside the text, hits are ordered and do not overlap', () => {
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 40 }).map((a) => a.join('')), (text) => {
        let last = 0;
        for (const h of find(text)) {
          expect(h.start).toBeGreaterThanOrEqual(last);
          expect(h.end).toBeGreaterThan(h.start);
          expect(h.end).toBeLessThanOrEqual(text.length);
          last = h.end;
        }
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('a plain lexicon word surrounded by spaces is always found', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LEO.filter((t) => /^[a-z]+$/.test(t))), fc.string({ unit: 'grapheme-ascii', maxLength: 20 }), (term, noise) => {
        const text = `${noise} ${term} ${noise}`;
        const at = noise.length + 1;
        expect(find(text).some((h) => h.start <= at && h.end >= at + term.length)).toBe(true);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('LexiconMatcher: spaced letters next to words', () => {
  it('keeps a neighbouring one-letter word out of a punctuation chain', () => {
    expect(spans('What a s-h-i-t idea').map(([term, as]) => [term, as])).toEqual([['shit', 's-h-i-t']]);
  });
});
