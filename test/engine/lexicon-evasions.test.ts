/**
 * The evasion families of issue 12 through the lexicon matcher: self-censoring, phonetic and
 * misspelt forms, compounds, spacing, decorative letterforms, other languages, context for
 * polysemous terms; each hit names its transformation and its span points at what was written.
 */
import { describe, expect, it } from 'vitest';
import { LexiconMatcher, type MatcherLexicon } from '../../engine/lexicon-matcher.js';
import { hitsIn } from '../helpers/lexicon-hits.js';

const english: MatcherLexicon = {
  id: 'en',
  language: 'en',
  variants: true,
  terms: [
    'fuck', 'fucking', 'motherfucking', 'shit', 'asshole', 'bitch', 'cunt', 'ass', 'dick', 'cock', 'tit', 'cum', 'prick',
    { term: 'shit', compound: 'any' },
    { term: 'af', variants: false },
  ],
  allow: ['summa cum laude', 'blue tit', 'moby dick', 'cumin', 'shiitake'],
  context: [
    { terms: ['bitch'], benign_near: ['puppies', 'litter'] },
    { terms: ['ass'], benign_near: ['donkey'] },
    { terms: ['dick'], names: true },
    { terms: ['af'], lowercase: true },
  ],
};
const french: MatcherLexicon = { id: 'fr', language: 'fr', terms: ['merde', 'putain', 'sale con'], allow: ['pique nique'] };
const matcher = new LexiconMatcher([english, french]);

const spans = (text: string, m = matcher) => hitsIn(m, text);

describe('self-censoring', () => {
  it.each([
    ['f*ck off', ['fuck', 'f*ck', 'self_censoring']],
    ['such sh#t', ['shit', 'sh#t', 'self_censoring']],
    ['what an a**hole', ['asshole', 'a**hole', 'self_censoring']],
    ['f**king great', ['fuck', 'f**king', 'self_censoring']],
    ['what the f***', ['fuck', 'f***', 'self_censoring']],
    ['this motherf…ing wifi', ['motherfucking', 'motherf…ing', 'self_censoring']],
    ['$#!t happens', ['shit', '$#!t', 'leetspeak+self_censoring']],
  ])('%j', (text, expected) => {
    expect(spans(text)).toEqual([expected]);
  });

  it('does not join across a real word boundary, nor read emphasis or punctuation as censoring', () => {
    expect(spans('the f* ck')).toEqual([]);
    expect(spans('*it* matters')).toEqual([]);
    expect(spans('was it fun! wh… ok')).toEqual([]);
    expect(spans('c*tting again')).toEqual([]); // a doubled t is not cunt's single t
  });

  it('reads a lone & and one symbol between two lone capitals as joining an abbreviation', () => {
    expect(spans('T&Cs apply, P&P extra, S&S ISA, sizes J-R, AT&T')).toEqual([]);
    expect(spans('what the f%&k')).toEqual([['fuck', 'f%&k', 'self_censoring']]);
    expect(spans('f—k, missed it')).toEqual([['fuck', 'f—k', 'self_censoring']]);
  });

  it('still reads a censor in a word with a leetspeak digit away from the symbol', () => {
    // One symbol beside a written digit is a joint (`4-H`, `$28-35`: rules/qa/tests/profanity.yaml).
    expect(spans('5h*t show')).toEqual([['shit', '5h*t', 'leetspeak+self_censoring']]);
  });
});

describe('phonetic and misspelt forms (generated at compile time)', () => {
  it.each(['phuck', 'fuk', 'fvck', 'fcuk', 'btch', 'phuk', 'fuq', 'azz'])('%s', (word) => {
    const hits = spans(`oh ${word} this`);
    expect(hits).toHaveLength(1);
    expect(hits[0]![1]).toBe(word);
    expect(hits[0]![2]).toContain('phonetic');
  });

  it('does not generate vowel-dropped forms of three letters: they are abbreviations (a pack lists the ones it means)', () => {
    const french = new LexiconMatcher([{ id: 'fr', language: 'fr', variants: true, terms: ['salope', 'chieuse'] }]);
    expect(spans('Axie SLP generator, CHS meeting', french)).toEqual([]);
    expect(spans('oh fck this')).toEqual([]);
  });

  it('needs generated forms spelled exactly: a doubled consonant is an ordinary word', () => {
    expect(spans('we cook dinner')).toEqual([]);
  });
});

describe('compounds and affixes', () => {
  it('matches a compound term inside a longer word, and reports the whole word', () => {
    expect(spans('a total shitshow')).toEqual([['shit', 'shitshow', 'compound']]);
    expect(spans('pure horseshit')).toEqual([['shit', 'horseshit', 'compound']]);
    expect(spans('stop bullshitting me')).toEqual([['shit', 'bullshitting', 'compound']]);
  });

  it('keeps Scunthorpe words out: allow-listed words, and no term sitting mid-word', () => {
    expect(spans('shiitake risotto; Englishtown; assess; classic; cumin')).toEqual([]);
  });
});

describe('spacing', () => {
  it('joins a word split across a space and spaced letters beside a one-letter word', () => {
    expect(spans('fu ck off mate')).toEqual([['fuck', 'fu ck', 'spacing']]);
    expect(spans('what a s h i t show')).toEqual([['shit', 's h i t', 'separators']]);
    expect(spans('a s h i t show')).toEqual([['shit', 's h i t', 'separators']]);
  });

  it('matches a term of fewer than four letters spaced out only as the whole chain', () => {
    expect(spans('c l a s s starts at nine')).toEqual([]);
    expect(spans('a f t e r the show')).toEqual([]);
    expect(spans('what an a s s')).toEqual([['ass', 'a s s', 'separators']]);
  });
});

describe('decorative letterforms', () => {
  it.each([
    ['negative squared', '\u{1F175}\u{1F184}\u{1F172}\u{1F17A}'],
    ['regional indicators', '\u{1F1EB}\u{1F1FA}\u{1F1E8}\u{1F1F0}'],
    ['small capitals', '\uA730\u1D1C\u1D04\u1D0B'],
    ['parenthesised', '\u24A1\u24B0\u249E\u24A6'],
    ['math double-struck', '\u{1D557}\u{1D566}\u{1D554}\u{1D55C}'],
  ])('%s', (_kind, word) => {
    expect(spans(`${word} this`)).toEqual([['fuck', word, 'homoglyph']]);
  });
});

describe('languages, allow-lists and context', () => {
  it('matches each lexicon in its own language', () => {
    expect(spans('bordel, merde alors').map(([term]) => term)).toEqual(['merde']);
    expect(spans('quel sale con').map(([term]) => term)).toEqual(['sale con']);
  });

  it('applies an allow-list to its own lexicon only', () => {
    expect(spans('pique-nique au lac')).toEqual([]);
  });

  it('reads polysemous terms in context, unless aimed at a person', () => {
    expect(spans('blue tit on the feeder')).toEqual([]);
    expect(spans('she graduated summa cum laude')).toEqual([]);
    expect(spans('our bitch had puppies')).toEqual([]);
    expect(spans('a donkey, or ass, in the stable')).toEqual([]);
    expect(spans('Finally finished Moby-Dick')).toEqual([]);
    expect(spans('Dick Whittington is the panto')).toEqual([]);
    expect(spans('you bitch, keep your puppies')).toEqual([['bitch', 'bitch', '']]);
    expect(spans('stop being a dick')).toEqual([['dick', 'dick', '']]);
  });

  it('reads a lowercase-only acronym in capitals as an acronym, unless its neighbours shout too', () => {
    expect(spans('tired af today')).toEqual([['af', 'af', '']]);
    expect(spans('Our AF-1 model kit')).toEqual([]);
    expect(spans('the AF base gate')).toEqual([]);
    expect(spans('SO TIRED AF')).toEqual([['af', 'AF', '']]);
  });
});

describe('issue 12, the evasions no peer matched', () => {
  const strong = new LexiconMatcher([
    {
      id: 'en',
      language: 'en',
      variants: true,
      terms: ['fuck', 'shit', 'bitch', 'twat', 'motherfucker', { term: 'fuck', compound: 'any' }, { term: 'shit', compound: 'any' }],
      allow: ['wan king'],
    },
  ]);
  const hits = (text: string) => spans(text, strong);

  it('joins a word written one letter per line', () => {
    expect(hits('F\nU\nC\nK\n\nthis song')).toEqual([['fuck', 'F\nU\nC\nK', 'separators']]);
    expect(hits('f\n u\n c\n k')).toEqual([['fuck', 'f\n u\n c\n k', 'separators']]);
    expect(hits('Options:\nA\nB\nC\nD')).toEqual([]);
  });

  it('reads a stem split inside itself before -ing or -ed', () => {
    expect(hits('ur fuc king reaction')).toEqual([['fuck', 'fuc king', 'spacing']]);
    expect(hits('all fuc ked up')).toEqual([['fuck', 'fuc ked', 'spacing']]);
    expect(hits('sh it happens, bit ch')).toEqual([
      ['shit', 'sh it', 'spacing'],
      ['bitch', 'bit ch', 'spacing'],
    ]);
    expect(hits('the wan king smiled; a bit chewy; the pen is mightier')).toEqual([]);
  });

  it('reads a self-censored word at the head or the end of a compound', () => {
    expect(hits('calling $#!tcoins utility tokens')).toEqual([['shit', '$#!tcoins', 'leetspeak+self_censoring+compound']]);
    expect(hits('what a f*ckboy')).toEqual([['fuck', 'f*ckboy', 'self_censoring+compound']]);
    expect(hits('a total clusterf*ck')).toEqual([['fuck', 'clusterf*ck', 'self_censoring+compound']]);
  });

  it('reads no compound through a symbol that joins words, a trailing run, or mostly unwritten letters', () => {
    expect(hits('f-stop, s-tier, **Fresh** drops, **Shirts**')).toEqual([]);
    expect(hits('@marcus_t @Lewis_T quickcash_in lin.a_hidden TQx9f…k2Lp')).toEqual([]);
    expect(hits('ur acc0unt w!ll b3 s*spended in 24h')).toEqual([]);
  });

  it('reads `+` as t and `<` as c in a word that then spells a term, and multi-symbol leetspeak', () => {
    expect(hits('holy sh!+ i passed')).toEqual([['shit', 'sh!+', 'leetspeak']]);
    expect(hits('fu<k me')).toEqual([['fuck', 'fu<k', 'leetspeak']]);
    expect(hits('|3!tch please')).toEqual([['bitch', '|3!tch', 'leetspeak']]);
    expect(hits('f|_|ck off')).toEqual([['fuck', 'f|_|ck', 'leetspeak']]);
    expect(hits('C++ and Disney+, like+share, i <3 u, a<b')).toEqual([]);
  });

  it('reads a grawlix after a first letter as the word it stands for', () => {
    expect(hits('F@#% the Cowboys')).toEqual([['fuck', 'F@#%', 'self_censoring']]);
    expect(hits('s#!% happens')).toEqual([['shit', 's#!%', 'self_censoring']]);
    expect(hits('I love C#! and C#!! and F# minor')).toEqual([]);
  });

  it('reads a word cut short with dashes', () => {
    expect(hits('tell ur ex to f- off')).toEqual([['fuck', 'f-', 'self_censoring']]);
    expect(hits('what the f-')).toEqual([['fuck', 'f-', 'self_censoring']]);
    expect(hits('f--- my entire life')).toEqual([['fuck', 'f---', 'self_censoring']]);
    expect(hits('f—k, missed it')).toEqual([['fuck', 'f—k', 'self_censoring']]);
    expect(hits('got an F- on it; f- and g-values; she said f- then stopped')).toEqual([]);
  });
});
