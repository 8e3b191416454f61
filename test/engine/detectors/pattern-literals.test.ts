import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { flagBits, patternDetector } from '../../../engine/detectors/pattern.js';
import { caseSensitive, countedLiterals, foldForLiterals, leadingLiterals, literalsFrom, requiredLiterals } from '../../../engine/detectors/pattern-literals.js';
import { caseless } from '../../../engine/detectors/re2-reader.js';
import { ctx, inputFor } from './inputs.js';
import { defaultPackPatterns, heldOutTexts } from './pack-patterns.js';
// mulberry32, seeded so that a failure can be replayed.
import { rng as random } from '../../bench/lib/inputs.js';

describe('requiredLiterals', () => {
  it.each([
    ['a literal, in lower case', 'Free Crypto', [['free crypto']]],
    ['each side of a gap', '\\bkill\\s+(you|him)\\b', [['kill'], ['him', 'you']]],
    ['an optional part widens the exact set', 'x(?:ab|cd)?yz', [['xabyz', 'xcdyz', 'xyz']]],
    ['a repeated group still needs one copy', '(?i)foo(bar|baz)+', [['bar', 'baz'], ['foo']]],
    ['inline flag groups and named groups', '(?i:use)\\s+(?P<what>code)', [['code'], ['use']]],
    ['escaped punctuation is literal', 'geni\\.us/x', [['geni.us/x']]],
    ['a class or an escape is a gap', 'ab[cd]ef\\d{2}gh', [['ab'], ['ef'], ['gh']]],
    ['a hex escape is a gap', 'ab\\x{41}cd\\x41ef', [['ab'], ['cd'], ['ef']]],
    ['a class with ] and an escape inside', 'ab[]\\]x]cd', [['ab'], ['cd']]],
    ['an invalid count is a literal {', 'ab{,3}', [['ab{,3}']]],
    ['each branch of an alternation gives its best list', 'alpha\\s+beta|gamma', [['alpha', 'gamma']]],
    ['a lone punctuation char is kept, a lone letter is not', '(#\\w+\\s*){3,}|\\d=\\d', [['#', '=']]],
    ['an emoji is a literal', 'link.{0,9}🔞bio', [['🔞bio'], ['link']]],
    ['an arrow with its variation selector is a literal', 'up\\s*⬆️', [['⬆️'], ['up']]],
    ['a non-ASCII letter is a gap', 'cafébar', [['bar'], ['caf']]],
  ])('%s: %s', (_name, source, expected) => {
    const sorted = (lists: string[][]) => lists.map((l) => [...l].sort()).sort((a, b) => a.join().localeCompare(b.join()));
    expect(sorted(requiredLiterals(source))).toEqual(sorted(expected));
  });

  it.each([
    ['a branch that needs nothing', 'alpha|\\w+'],
    ['an optional literal', '(free)?\\s*\\d+'],
    ['a repetition that may be empty', '(abc)*x'],
    ['single letters only', 'a\\sb'],
    ['a construct the reader does not know', '\\Qabc\\E'],
    ['unbalanced syntax', 'ab)c'],
    ['an alternation of more than 32 words', Array.from({ length: 40 }, (_, i) => `w${i}x`).join('|')],
  ])('needs nothing for %s', (_name, source) => {
    expect(requiredLiterals(source)).toEqual([]);
  });

  it('keeps the case of a pattern that matches case-sensitively throughout', () => {
    const sorted = (lists: string[][]) => lists.map((l) => [...l].sort()).sort((a, b) => a.join().localeCompare(b.join()));
    expect(sorted(requiredLiterals('\\bOF\\s+Link', ''))).toEqual([['Link'], ['OF']]);
    expect(sorted(requiredLiterals('\\bOF\\s+Link', 'i'))).toEqual([['link'], ['of']]);
    expect(sorted(requiredLiterals('\\bOF\\s+(?i:Link)', ''))).toEqual([['link'], ['of']]);
    expect(sorted(requiredLiterals('(?is)\\bOF\\s+Link', 'm'))).toEqual([['link'], ['of']]);
  });

  it('keeps the four most selective lists, longest shortest string first', () => {
    expect(requiredLiterals('ab\\s+cde\\s+fghi\\s+jklmn\\s+opqrst')).toEqual([['opqrst'], ['jklmn'], ['fghi'], ['cde']]);
  });

  it("folds the two non-ASCII members of ASCII letters' case orbits, as RE2's (?i) does", () => {
    // U+017F (long s) matches (?i)s and U+212A (Kelvin sign) matches (?i)k in RE2.
    const re = RE2JS.compile('sk', flagBits('i'));
    for (const text of ['\u017F\u212A', 'SK']) {
      expect(re.test(text)).toBe(true);
      expect(foldForLiterals(text)).toContain('sk');
    }
  });
});

describe('caseless: the non-ASCII chars a literal may hold', () => {
  const ranges = [[0x2190, 0x245f], [0x2500, 0x2bff], [0x1f000, 0x1faff], [0xfe0f, 0xfe0f], [0x200d, 0x200d]] as const;
  const inRanges = (cp: number) => ranges.some(([lo, hi]) => cp >= lo && cp <= hi);

  it('holds the chars of those blocks and no letter', () => {
    for (const c of ['🔞', '🤫', '⬆', '☝', '\uFE0F', '\u200D']) expect(caseless(c)).toBe(true);
    for (const c of ['é', 'K', '\u212A', 'ⓑ', 'Ⅻ', 'ſ', 'a']) expect(caseless(c)).toBe(false);
  });

  it("is untouched by lower- and upper-casing and by RE2's (?i), over every code point", () => {
    const any = RE2JS.compile(`[${ranges.map(([lo, hi]) => `\\x{${lo.toString(16)}}-\\x{${hi.toString(16)}}`).join('')}]`, flagBits('i'));
    const wrong: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCodePoint(cp);
      if (caseless(c) !== inRanges(cp)) wrong.push(`caseless ${cp.toString(16)}`);
      if (inRanges(cp)) {
        if (c.toLowerCase() !== c || c.toUpperCase() !== c) wrong.push(`cased ${cp.toString(16)}`);
      } else if (any.test(c) || [...c.toLowerCase(), ...c.toUpperCase()].some((d) => inRanges(d.codePointAt(0)!))) {
        wrong.push(`folds into the blocks: ${cp.toString(16)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('leadingLiterals: what every match starts with', () => {
  it.each([
    ['words after a zero-width start', '\\b(use|With)\\s+code', ['use', 'with']],
    ['a flag group', '(?i:\\bcode)\\s+[A-Z]', ['code']],
    ['an optional part extends the set', 'link(ed)?\\s+in|a(b|c)?d', ['link', 'linked', 'abd', 'acd', 'ad']],
    ['a repeated emoji', '🔥{2}\\s*deal', ['🔥']],
  ])('%s: %s', (_name, source, expected) => {
    expect(leadingLiterals(source)?.sort()).toEqual([...expected].sort());
  });

  it.each([['[a-z]+x'], ['(free)?\\s*\\d+'], ['a*b'], ['\\Qab\\E'], ['x|\\d'], ['^$'], ['(a|)\\d']])('undefined for %s', (source) => {
    expect(leadingLiterals(source)).toBeUndefined();
  });

  it('lower-casing never shortens a char (equal lengths keep every position)', () => {
    const shorter: number[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCodePoint(cp);
      if (c.toLowerCase().length < c.length) shorter.push(cp);
    }
    expect(shorter).toEqual([]);
  });

  it('every match of a default-pack pattern on the held-out posts starts with one of them', () => {
    const patterns = defaultPackPatterns().flatMap((p) => {
      const leads = leadingLiterals(p.source);
      return leads ? [{ ...p, leads }] : [];
    });
    expect(patterns.length).toBeGreaterThan(50);
    let matches = 0;
    const unsound: string[] = [];
    for (const text of heldOutTexts()) {
      const folded = foldForLiterals(text);
      if (folded.length !== text.length) continue;
      for (const { source, re, leads } of patterns) {
        const matcher = re.matcher(text);
        while (matcher.find()) {
          matches++;
          if (!leads.some((lead) => folded.startsWith(lead, matcher.start()))) unsound.push(`${source.slice(0, 50)} ⟵ ${text.slice(0, 40)}`);
        }
      }
    }
    expect(unsound).toEqual([]);
    expect(matches).toBeGreaterThan(500);
  });
});

describe('requiredLiterals on the default pack: a match always has its literals', () => {
  const patterns = defaultPackPatterns().map((p) => ({ ...p, needs: requiredLiterals(p.source, p.flags) }));
  const texts = heldOutTexts();

  it('most patterns need some words (else every post runs their set)', () => {
    expect(patterns.length).toBeGreaterThan(50);
    expect(patterns.filter((p) => p.needs.length > 0).length / patterns.length).toBeGreaterThan(0.8);
  });

  it('no post that a pattern matches lacks what the pattern needs', () => {
    let matched = 0;
    let skipped = 0;
    const unsound: string[] = [];
    for (const text of texts) {
      const folded = foldForLiterals(text);
      for (const { source, re, needs } of patterns) {
        const passes = needs.every((list) => list.some((literal) => (caseSensitive(literal) ? text : folded).includes(literal)));
        if (re.test(text)) {
          matched++;
          if (!passes) unsound.push(`${source.slice(0, 60)} ⟵ post ${texts.indexOf(text)}`);
        } else if (!passes) skipped++;
      }
    }
    expect(unsound).toEqual([]);
    expect(matched).toBeGreaterThan(500);
    // The prefilter is worth having: most (post, pattern) pairs are skipped without a DFA pass.
    expect(skipped / (texts.length * patterns.length)).toBeGreaterThan(0.7);
  });
});

describe('countedLiterals: strings a match holds at several positions', () => {
  it.each([
    ['a repeated hashtag', '(#[^\\s#]+\\s*){10,}', [{ list: ['#'], count: 10 }]],
    ['a repeated word group, after a flag', '(?i)(\\b(like|share)\\b\\W*){4}', [{ list: ['like', 'share'], count: 4 }]],
    ['inside a group repeated once or more', '((ab\\d){2,3})+', [{ list: ['ab'], count: 2 }]],
    ['none for one copy, an optional repeat or an alternation', 'x(ab\\d)?(cd\\d)*((ef\\d){3}|g)', []],
    ['none for a string too short to look for', '(a\\d){5}', []],
  ])('%s', (_name, source, expected) => {
    expect(countedLiterals(source)).toEqual(expected);
  });

  it('every match of a default-pack pattern on the held-out posts has its counts', () => {
    const patterns = defaultPackPatterns().flatMap((p) => {
      const counted = countedLiterals(p.source, p.flags);
      return counted.length > 0 ? [{ ...p, counted }] : [];
    });
    expect(patterns.length).toBeGreaterThan(0);
    const positions = (text: string, list: readonly string[]): number => {
      let n = 0;
      for (let i = 0; i < text.length; i++) if (list.some((s) => text.startsWith(s, i))) n++;
      return n;
    };
    // The corpus has few posts near such counts: also posts of their pieces, as many as a count asks, about.
    const rnd = random(3);
    const PIECES = ['#tag', '#', '##a', 'like', 'LIKE', 'share', 'Follow', 'and ', '& ', ' ', ', ', '\n', 'x', 'unlike', '#like'];
    const made = Array.from({ length: 3000 }, () => Array.from({ length: Math.floor(rnd() * 30) }, () => PIECES[Math.floor(rnd() * PIECES.length)]!).join(rnd() < 0.5 ? ' ' : ''));
    let matched = 0;
    const unsound: string[] = [];
    for (const text of [...heldOutTexts(), ...made]) {
      const folded = foldForLiterals(text);
      for (const { source, re, counted } of patterns) {
        if (!re.test(text)) continue;
        matched++;
        for (const { list, count } of counted) if (positions(folded, list) < count) unsound.push(`${source.slice(0, 50)} ⟵ ${text.slice(0, 40)}`);
      }
    }
    expect(unsound).toEqual([]);
    expect(matched).toBeGreaterThan(300);
  });
});

describe('literalsFrom: where a post lacks what a pattern needs, no match starts', () => {
  it('from the first position with some list missing, a search of each default-pack pattern finds nothing', () => {
    const patterns = defaultPackPatterns().map((p) => ({ ...p, needs: requiredLiterals(p.source, p.flags) })).filter((p) => p.needs.length > 0);
    let cut = 0;
    const unsound: string[] = [];
    // Every fourth post: a search that finds nothing runs the backtracker over the rest of the post.
    for (const text of heldOutTexts().filter((_, i) => i % 4 === 0)) {
      const folded = foldForLiterals(text);
      if (folded.length !== text.length) continue;
      for (const { source, re, needs } of patterns) {
        if (literalsFrom(text, folded, needs, text.length + 1)) continue; // needs nothing found anywhere
        // The first position past which some list is missing (the answer only turns false as it moves on).
        let lo = 0;
        let hi = text.length + 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (literalsFrom(text, folded, needs, mid)) lo = mid + 1;
          else hi = mid;
        }
        if (lo > text.length) continue;
        cut++;
        if (re.matcher(text).find(lo)) unsound.push(`${source.slice(0, 50)} from ${lo} ⟵ ${text.slice(0, 40)}`);
      }
    }
    expect(unsound).toEqual([]);
    expect(cut).toBeGreaterThan(500);
  });

  it('looks for a case-sensitive word as written, the others in the lower-cased text', () => {
    expect(literalsFrom('see OF link', 'see of link', [['OF'], ['link']], 4)).toBe(true);
    expect(literalsFrom('see of link', 'see of link', [['OF'], ['link']], 0)).toBe(false);
    expect(literalsFrom('My Code', 'my code', [['code', 'link']], 3)).toBe(true);
    expect(literalsFrom('My Code', 'my code', [['code', 'link']], 4)).toBe(false);
  });
});

describe('pattern: the shared scan skips a set whose patterns lack their words, and runs unless only after a match', () => {
  const input = inputFor('pattern');
  it('finds what it found before, also with unless', () => {
    const pack = { ...ctx };
    const promo = patternDetector.compile({ type: 'pattern', patterns: ['use my code \\w+', '[0-9]+ ?% off'], unless: ['#ad\\b|\\w+'] }, pack);
    const other = patternDetector.compile({ type: 'pattern', patterns: ['free (crypto|bitcoin)'] }, pack);
    // unless needs no particular word: it must not run (or excuse) where nothing matched.
    expect(promo.detect(input(['nothing here']))).toEqual([]);
    expect(other.detect(input(['FREE Bitcoin', 'use my code x']))).toEqual([{ post: 0, span: [0, 12], match: 'FREE Bitcoin', vars: { pattern: 'free (crypto|bitcoin)' } }]);
    const withoutUnless = patternDetector.compile({ type: 'pattern', patterns: ['use my code \\w+'] }, pack);
    expect(withoutUnless.detect(input(['use my code x', '20% off']))).toHaveLength(1);
    expect(promo.detect(input(['use my code x', '20% off']))).toEqual([]);
  });

  it('looks for the upper-case words of a case-sensitive pattern as written', () => {
    const pack = { ...ctx };
    const sensitive = patternDetector.compile({ type: 'pattern', flags: '', patterns: ['OF\\s+link', '(?i:my)\\s+PAGE'] }, pack);
    expect(sensitive.detect(input(['see OF link', 'MY PAGE'])).map((f) => f.match)).toEqual(['OF link', 'MY PAGE']);
    expect(sensitive.detect(input(['see of link', 'Of link', 'my page']))).toEqual([]);
  });

  it('runs a pattern that needs a string at several positions only on a post that has it there as often', () => {
    const pack = { ...ctx };
    const tags = patternDetector.compile({ type: 'pattern', patterns: ['(#\\w+\\s*){10,}'] }, pack);
    const post = (n: number): string => Array.from({ length: n }, (_, i) => `#tag${i}`).join(' ');
    expect(tags.detect(input([post(10), post(9)])).map((f) => f.post)).toEqual([0]);
    expect(tags.detect(input(['#A#b #c#d#e #f#g#h#i#j']))).toHaveLength(1);
  });

  it('finds a pattern that needs an emoji, in a post with other non-ASCII chars', () => {
    const pack = { ...ctx };
    const lure = patternDetector.compile({ type: 'pattern', patterns: ['🔥{2}\\s*deal'] }, pack);
    const other = patternDetector.compile({ type: 'pattern', patterns: ['free (crypto|bitcoin)'] }, pack);
    expect(other.detect(input(['FREE crypto 🔥🔥']))).toHaveLength(1);
    expect(lure.detect(input(['Café 🔥🔥 DEAL', 'deal 🔥']))).toEqual([{ post: 0, span: [5, 14], match: '🔥🔥 DEAL', vars: { pattern: '🔥{2}\\s*deal' } }]);
    expect(lure.detect(input(['deal', 'café deal']))).toEqual([]);
  });
});
