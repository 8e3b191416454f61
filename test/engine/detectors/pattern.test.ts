import { describe, it, expect } from 'vitest';
import { compileSafePattern, patternDetector, type PatternParams } from '../../../engine/detectors/pattern.js';
import type { Finding } from '../../../engine/detectors/detector.js';
import { ctx, inputFor } from './inputs.js';

const input = inputFor('pattern');

function detect(params: Omit<PatternParams, 'type'>, texts: string[]): Finding[] {
  return patternDetector.compile({ type: 'pattern', ...params }, ctx).detect(input(texts));
}

const promo = { patterns: ['use my code \\w+'], unless: ['#ad|#sponsored|paid partnership'] };

describe('pattern', () => {
  it.each([
    ['a match, case-insensitive', ['Use My Code SAVE20 today'], [[0, [0, 18], 'Use My Code SAVE20']]],
    ['spans count UTF-16 units after an emoji', ['😀 use my code x'], [[0, [3, 16], 'use my code x']]],
    ['several matches and posts', ['use my code a', 'ok', 'use my code b, use my code c'], [
      [0, [0, 13], 'use my code a'],
      [2, [0, 13], 'use my code b'],
      [2, [15, 28], 'use my code c'],
    ]],
    ['no match', ['nothing to see'], []],
    ['suppressed by a disclosure in the same post', ['use my code x #ad'], []],
    ['suppressed by a disclosure anywhere in the thread', ['use my code x', 'Paid Partnership with Acme'], []],
  ])('%s', (_name, texts, expected) => {
    expect(detect(promo, texts).map((f) => [f.post, f.span, f.match])).toEqual(expected);
  });

  it('finds every match, as a plain matcher does, when searches start at the words a match starts with', () => {
    const texts = ['barcode x, Code Y and CODE z', 'İİ code x and key y', 'ſ a\u212AEY x, monkey y, keys z', 'code', 'x key'];
    const pattern = '\\b(code|key)\\s+\\w+';
    const expected = texts.flatMap((text, post) => {
      const matcher = compileSafePattern(pattern).matcher(text);
      const spans: [number, number[], string][] = [];
      while (matcher.find()) spans.push([post, [matcher.start(), matcher.end()], matcher.group()!]);
      return spans;
    });
    expect(expected.length).toBe(5);
    expect(detect({ patterns: [pattern] }, texts).map((f) => [f.post, f.span, f.match])).toEqual(expected);
  });

  it('names the pattern in vars', () => {
    expect(detect({ patterns: ['free (crypto|bitcoin)', 'dm me'] }, ['DM me for free bitcoin'])).toEqual([
      { post: 0, span: [10, 22], match: 'free bitcoin', vars: { pattern: 'free (crypto|bitcoin)' } },
      { post: 0, span: [0, 5], match: 'DM me', vars: { pattern: 'dm me' } },
    ]);
  });

  it('flags "" makes matching case-sensitive; m and s work', () => {
    expect(detect({ patterns: ['SALE'], flags: '' }, ['sale SALE']).map((f) => f.span)).toEqual([[5, 9]]);
    expect(detect({ patterns: ['^b'], flags: 'm' }, ['a\nb']).map((f) => f.span)).toEqual([[2, 3]]);
    expect(detect({ patterns: ['a.b'], flags: 's' }, ['a\nb']).map((f) => f.span)).toEqual([[0, 3]]);
  });

  it('skips empty matches and caps matches per post', () => {
    expect(detect({ patterns: ['x*'] }, ['abc'])).toEqual([]);
    expect(detect({ patterns: ['.'] }, ['y'.repeat(500)])).toHaveLength(100);
  });

  // The search for a further match first asks the DFA about the rest of the post, cut one
  // character early so that an assertion at the cut sees the character before it.
  it.each([
    ['a match right where the last one ended, after \\B', ['\\Bb'], 'abb', [[1, 2], [2, 3]]],
    ['after \\b', ['\\bcode'], 'code code xcode code', [[0, 4], [5, 9], [16, 20]]],
    ['after ^ in multi-line mode', ['(?m)^u'], 'u\nu\nxu', [[0, 1], [2, 3]]],
    ['after an emoji', ['\\bab'], 'ab😀ab', [[0, 2], [4, 6]]],
    ['between empty matches', ['b*'], 'abba', [[1, 3]]],
  ])('finds every further match: %s', (_name, patterns, text, spans) => {
    expect(detect({ patterns }, [text]).map((f) => f.span)).toEqual(spans);
  });
});

describe('compileSafePattern', () => {
  it('matches the catastrophic-backtracking pattern in linear time', () => {
    const re = compileSafePattern('^(\\w+\\s?)*$');
    const text = `${'a'.repeat(40)}!`; // V8 RegExp takes seconds on this
    const start = performance.now();
    expect(re.test(text)).toBe(false);
    expect([...re.matchAll(`${'word '.repeat(20)}!`)]).toEqual([]);
    expect(performance.now() - start).toBeLessThan(50);
  });

  it('does so inside the detector too', () => {
    const start = performance.now();
    expect(detect({ patterns: ['^(\\w+\\s?)*$'] }, [`${'ab '.repeat(30)}!`])).toEqual([]);
    expect(performance.now() - start).toBeLessThan(50);
  });

  it.each([
    ['(a+)+\\1', /backreferences \(\\1, \\k<name>\) are not allowed/],
    ['(?=x)a', /lookahead .* are not allowed/],
    ['(?<!x)a', /lookbehind .* are not allowed/],
    ['a++', /possessive quantifiers .* are not allowed/],
  ])('refuses %s, naming the pattern, the construct and RE2', (source, construct) => {
    let message = '';
    try {
      compileSafePattern(source);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`pattern ${JSON.stringify(source)} is refused`);
    expect(message).toMatch(/RE2 syntax, which guarantees linear-time matching/);
    expect(message).toMatch(construct);
  });

  it('reports plain syntax errors too', () => {
    expect(() => compileSafePattern('[abc')).toThrow(/pattern "\[abc" is refused: missing closing \]/);
  });

  it('refuses unknown flags', () => {
    expect(() => compileSafePattern('a', 'g')).toThrow(/unknown regular expression flag "g"/);
  });

  it('the detector refuses a bad pattern at compile time, also in unless', () => {
    expect(() => patternDetector.compile({ type: 'pattern', patterns: ['(a)\\1'] }, ctx)).toThrow(/backreferences/);
    expect(() => patternDetector.compile({ type: 'pattern', patterns: ['a'], unless: ['(?=b)'] }, ctx)).toThrow(
      /pattern "\(\?=b\)" is refused/,
    );
  });
});

describe('pattern: cost limits', () => {
  it('refuses a pattern whose compiled program is too large, naming the limit', () => {
    expect(() => compileSafePattern('a.{0,1000}b.{0,1000}c.{0,1000}d')).toThrow(/compiles to \d+ RE2 instructions \(limit 5000\)/);
    expect(compileSafePattern('a.{0,1000}b').programSize()).toBeLessThan(5_000);
  });

  it('refuses an over-long pattern before compiling it, and keeps ordinary ones', () => {
    expect(() => compileSafePattern('x'.repeat(5_000))).toThrow('put long word lists in a lexicon');
    expect(compileSafePattern('\\bguaranteed\\s+(returns?|profits?)\\b').programSize()).toBeLessThan(100);
  });
});

describe('pattern: the checks of one pack share one scan', () => {
  const specs: Omit<PatternParams, 'type'>[] = [
    { patterns: ['SALE'], flags: '' },
    { patterns: ['sale', 'b$'], flags: 'i' },
    { patterns: ['^b'], flags: 'm' },
    { patterns: ['a.b', 'nothing'], flags: 's' },
  ];
  const texts = ['sale SALE', 'a\nb', 'Sale a b'];
  const alone = (spec: Omit<PatternParams, 'type'>) => patternDetector.compile({ type: 'pattern', ...spec }, { ...ctx }).detect(input(texts));

  it('each check matches with its own flags, as it does in a pack of its own', () => {
    const pack = { ...ctx };
    const detectors = specs.map((spec) => patternDetector.compile({ type: 'pattern', ...spec }, pack));
    detectors.forEach((d, i) => expect(d.detect(input(texts))).toEqual(alone(specs[i]!)));
  });

  it('a check compiled after the scan has run starts a scan of its own', () => {
    const pack = { ...ctx };
    const first = patternDetector.compile({ type: 'pattern', ...specs[0]! }, pack);
    expect(first.detect(input(texts))).toEqual(alone(specs[0]!));
    const later = patternDetector.compile({ type: 'pattern', ...specs[1]! }, pack);
    expect(later.detect(input(texts))).toEqual(alone(specs[1]!));
    expect(later.detect(input(texts))).not.toEqual([]);
  });

  it('a check whose patterns fill several sets finds what each pattern finds alone, in the order of its patterns', () => {
    // Each long pattern compiles to more than half a set's 1,000 instructions, so no two share one.
    const long = ['alpha.{0,600}omega', 'gamma.{0,600}delta', 'kappa.{0,600}sigma'];
    for (const source of long) expect(compileSafePattern(source, 's').programSize()).toBeGreaterThan(1000);
    const spec = { patterns: [long[2]!, 'beta', long[0]!, 'beta\\d', long[1]!], flags: 's' };
    const posts = ['kappa x sigma beta alpha y omega beta7 gamma z delta', 'gamma\ndelta beta', 'nothing here'];
    const together = patternDetector.compile({ type: 'pattern', ...spec }, { ...ctx }).detect(input(posts));
    const each = spec.patterns.map((source) => patternDetector.compile({ type: 'pattern', patterns: [source], flags: 's' }, { ...ctx }).detect(input(posts)));
    const expected = posts.flatMap((_, post) => each.flatMap((findings) => findings.filter((f) => f.post === post)));
    expect(together).toEqual(expected);
    expect(together.map((f) => f.match)).toEqual(['kappa x sigma', 'beta', 'beta', 'alpha y omega', 'beta7', 'gamma z delta', 'beta', 'gamma\ndelta']);
  });
});
