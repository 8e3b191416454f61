// mayClaim (citation.ts) lets the default claims' RE2 test run only on a text it matches: it
// must match every text a default claim pattern matches in. Checked on generated texts built from
// the claims' own words, in every case, with `ſ` for `s` and the Kelvin sign for `k` (RE2's `(?i)`
// folds them), digits and Unicode spaces; and the detector with the prefilter against the same
// patterns passed as custom ones (no prefilter) on the same texts.
import { describe, expect, it } from 'vitest';
import { citationDetector, DEFAULT_CITATION_PATTERNS, DEFAULT_CLAIM_PATTERNS, mayClaim } from '../../../engine/detectors/citation.js';
import { compileAny } from '../../../engine/detectors/pattern.js';
import { ctx, inputFor } from './inputs.js';
import { rng } from '../../bench/lib/inputs.js';

const NUMBERS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'a hundred', 'a thousand', '0', '3', '12', '4.5', '1,000'];
const COMPARATIVES = ['more', 'less', 'fewer', 'faster', 'likelier', 'smaller', 'as'];
const AUTHORITIES = ['studies', 'a study', 'a new survey', 'recent poll', 'report', 'research', 'science', 'data', 'statistics', 'experts', 'scientists', 'doctors'];
const FINDS = ['shows', 'showed', 'shown', 'show', 'proves', 'proved', 'proven', 'prove', 'suggests', 'suggested', 'suggest', 'found', 'finds'];
const MORE_FINDS = ['confirms', 'confirmed', 'confirm', 'reveals', 'revealed', 'reveal', 'agrees', 'agree'];
const SOURCES = ['experts', 'studies', 'research', 'scientists', 'doctors', 'a study', 'one survey', 'a recent report'];
const NOISE = ['the', 'kit', 'ask', 'in', 'out', 'of', 'every', 'to', 'per', 'cent', 'fold', 'x', 'é', 'İ', '_', 'some', 'often', 'none'];
// \s in RE2 is [\t\n\f\r ]: the others are near misses.
const SPACES = [' ', ' ', ' ', '  ', '\t', '\n', '\r\n', '\f', '\v', '\u00a0', '\u2003'];
const SEPARATORS = [...SPACES, '', '-', '.', ','];

/** One phrase of the claim patterns' shapes, most of them claims. */
const SHAPES: ((pick: <T>(xs: readonly T[]) => T, space: () => string) => string)[] = [
  (pick, space) => pick(['7', '73', '4.5', '1,000', '0']) + pick(['', ' ']) + pick(['%', 'percent', 'per cent', 'per', 'pct']),
  (pick, space) => pick(NUMBERS) + space() + pick(['out' + space() + 'of', 'in', 'into']) + space() + pick(['', 'every' + space()]) + pick(NUMBERS),
  (pick, space) => pick(['2', '3', '10', '1.5', 'two']) + pick(['', ' ']) + pick(['x', '×', 'times']) + space() + pick(COMPARATIVES),
  (pick) => pick(['doubled', 'tripled', 'quadrupled', 'halved', 'tenfold', '3-fold', 'manifold', 'double']),
  (pick, space) => pick(AUTHORITIES) + space() + pick([...FINDS, ...MORE_FINDS]),
  (pick, space) => 'according' + space() + 'to' + space() + pick(SOURCES),
];

function spelled(word: string, next: () => number): string {
  const cased = [(w: string) => w, (w: string) => w.toUpperCase(), (w: string) => w.charAt(0).toUpperCase() + w.slice(1)][Math.floor(next() * 3)]!(word);
  // RE2's (?i) reads ſ as s and the Kelvin sign as k.
  return cased.replace(/[sk]/gi, (c) => (next() < 0.2 ? (c.toLowerCase() === 's' ? 'ſ' : '\u212a') : c));
}

function texts(count: number, seed: number): string[] {
  const next = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const space = () => pick(SPACES);
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    const parts: string[] = [];
    for (let w = Math.floor(next() * 3); w > 0; w--) parts.push(pick(NOISE));
    if (next() < 0.8) parts.push(pick(SHAPES)(pick, space));
    for (let w = Math.floor(next() * 3); w > 0; w--) parts.push(pick(NOISE));
    out.push(parts.map((part, k) => (k > 0 ? pick(SEPARATORS) : '') + spelled(part, next)).join(''));
  }
  return out;
}

const GENERATED = texts(40_000, 7);
const claims = compileAny([...DEFAULT_CLAIM_PATTERNS]);

describe('citation: mayClaim, the default claims prefilter', () => {
  it('matches every generated text a default claim pattern matches in', () => {
    const claiming = GENERATED.filter((text) => claims.test(text));
    // Enough claims of every pattern for the check to mean something.
    for (const source of DEFAULT_CLAIM_PATTERNS) {
      const pattern = compileAny([source]);
      expect(claiming.filter((text) => pattern.test(text)).length).toBeGreaterThan(500);
    }
    expect(claiming.filter((text) => !mayClaim(text))).toEqual([]);
    // And it is a filter: most generated texts without a claim fail it.
    expect(GENERATED.filter((text) => !claims.test(text) && !mayClaim(text)).length).toBeGreaterThan(5_000);
  });

  it('with the default claims, finds what the same patterns passed as custom claims (no prefilter) find', () => {
    const input = inputFor('citation');
    const prefiltered = citationDetector.compile({ type: 'citation', scope: 'post' }, ctx);
    const plain = citationDetector.compile(
      { type: 'citation', scope: 'post', include_defaults: false, claim_patterns: [...DEFAULT_CLAIM_PATTERNS], citation_patterns: [...DEFAULT_CITATION_PATTERNS] },
      ctx,
    );
    const sample = GENERATED.slice(0, 10_000);
    expect(prefiltered.detect(input(sample))).toEqual(plain.detect(input(sample)));
  });
});
