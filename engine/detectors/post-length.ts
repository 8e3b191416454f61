import { Type, type Static } from '@sinclair/typebox';
import twitterText from 'twitter-text';
import type { CompiledDetector, DetectorType, Finding } from './detector.js';

// A plain `enum` (not a union of literals), so that ajv says "must be equal to one of the allowed values".
const counting = Type.Unsafe<'twitter' | 'graphemes' | 'chars'>({
  type: 'string',
  enum: ['twitter', 'graphemes', 'chars'],
  description:
    '`twitter`: X weighted length (URLs 23, CJK and emoji 2, text NFC-normalised first); ' +
    '`graphemes`: user-perceived characters (a family emoji is 1); `chars`: Unicode code points.',
});

const platformLimit = Type.Object(
  {
    max: Type.Integer({ minimum: 1, description: 'Longest allowed post, in `counting` units.' }),
    counting,
  },
  { additionalProperties: false },
);

export const postLengthParams = Type.Object(
  {
    type: Type.Literal('post_length'),
    platforms: Type.Record(Type.String({ minLength: 1 }), platformLimit, {
      minProperties: 1,
      description:
        'Limit per platform id (`x`, `linkedin`, …). The entry `default` applies to platforms without their own entry; ' +
        'without it, posts for unlisted platforms are not measured.',
    }),
    default_platform: Type.Optional(
      Type.String({
        minLength: 1,
        description: "Platform assumed when the request names none. Default: the pack's default platform.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type PostLengthParams = Static<typeof postLengthParams>;
type Counting = Static<typeof counting>;

// twitter-text is CommonJS: its functions live on the default export under ESM.
const { parseTweet, extractUrlsWithIndices } = twitterText;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const URL_WEIGHT = 23;

/**
 * "Plain" code units: Latin (below U+0300), Cyrillic letters, CJK punctuation,
 * kana, CJK ideographs, Hangul syllables and fullwidth ASCII. They are NFC-stable and
 * never extend or prefix a grapheme cluster (UAX #29: none is Extend, ZWJ,
 * SpacingMark, Prepend, Regional_Indicator or a Hangul jamo), so two adjacent
 * plain units always have a cluster boundary between them, except CR LF.
 */
function isPlain(c: number): boolean {
  return (
    c < 0x300 ||
    (c >= 0x400 && c <= 0x482) ||
    (c >= 0x48a && c <= 0x4ff) ||
    (c >= 0x3000 && c <= 0x3029) ||
    (c >= 0x3041 && c <= 0x3096) ||
    (c >= 0x30a1 && c <= 0x30fa) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xff01 && c <= 0xff5e)
  );
}

/**
 * A sound upper bound on X's weighted length, ~30x cheaper than `parseTweet`
 * (~12-25 µs for 280 characters), so that posts inside the limit skip it.
 * - parseTweet NFC-normalises first. ASCII weighs 1. Other plain units are
 *   NFC-stable and weigh at most 2 (Latin-1 `©` could count as an emoji).
 * - Any other code unit: NFC expands a code point to at most 3 (UAX #15), each
 *   weighing at most 2, so 6 bounds it; emoji sequences (2 in all) only shrink.
 * - Every URL twitter-text extracts has a domain with an ASCII `.` followed by a
 *   TLD, which starts with a letter (ASCII or not); URLs cannot overlap, so at most
 *   one URL (weight 23) per such dot; its own characters are counted as well.
 * A property test checks the bound against parseTweet.
 */
export function weightedLengthUpperBound(text: string): number {
  // ASCII alone (most posts): one unit each, and a URL's weight after each `.` before a letter;
  // a regular expression and the dots found by indexOf, not a loop over every unit (~0.2 µs
  // for 280 characters instead of ~0.55 µs).
  if (!NON_ASCII.test(text)) return text.length + URL_WEIGHT * tldDots(text);
  let bound = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      bound += 1;
      if (c === 0x2e && i + 1 < text.length && mayStartTld(text.charCodeAt(i + 1))) bound += URL_WEIGHT;
    } else {
      bound += isPlain(c) ? 2 : 6;
    }
  }
  return bound;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** How many `.` of the text a letter follows (in ASCII text, where a TLD may start). */
function tldDots(text: string): number {
  let dots = 0;
  for (let i = text.indexOf('.'); i >= 0 && i + 1 < text.length; i = text.indexOf('.', i + 1)) if (mayStartTld(text.charCodeAt(i + 1))) dots++;
  return dots;
}

function mayStartTld(c: number): boolean {
  return c >= 0x80 || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
}

/**
 * X's weighted length of ASCII text, exactly as parseTweet counts it, or undefined for other
 * text. NFC leaves ASCII alone, every ASCII unit weighs 1 and none is an emoji, so only URLs
 * (23 each, whatever their length) make the weighted length differ from the text's; without a
 * `.` before a letter there is no URL and no extraction to run. parseTweet on 2,800 characters
 * of prose takes ~200 µs, its URL extraction alone ~35. A property test checks it against parseTweet.
 */
export function asciiWeightedLength(text: string): number | undefined {
  if (NON_ASCII.test(text)) return undefined;
  if (tldDots(text) === 0) return text.length;
  let length = text.length;
  for (const { url } of extractUrlsWithIndices(text)) length += URL_WEIGHT - url.length;
  return length;
}

const OVERSIZE_FACTOR = 10;

/** Length in `units`, or undefined when it is provably at most `max` (so the exact value is not needed). */
function measure(text: string, units: Counting, max: number): number | undefined {
  switch (units) {
    case 'twitter':
      if (weightedLengthUpperBound(text) <= max) return undefined;
      // parseTweet is quadratic on some inputs (`a.` × 20,000 takes seconds): a post ten times
      // over the limit in characters is over it, and its length in characters says so well enough.
      if (text.length > OVERSIZE_FACTOR * max) return text.length;
      return asciiWeightedLength(text) ?? parseTweet(text).weightedLength;
    case 'graphemes':
      // Graphemes never outnumber UTF-16 code units.
      return text.length <= max ? undefined : countGraphemes(text);
    case 'chars':
      return text.length <= max ? undefined : countCodePoints(text);
  }
}

/**
 * Extended grapheme clusters (UAX #29), exact. Plain units count one each (CR LF
 * one together); only windows around other units go through Intl.Segmenter
 * (~0.3 µs per cluster), each with one plain unit of context on both sides,
 * where a boundary is certain.
 */
export function countGraphemes(text: string): number {
  let count = 0;
  let i = 0;
  while (i < text.length) {
    if (!isPlain(text.charCodeAt(i))) {
      const start = windowStart(text, i);
      const end = windowEnd(text, i);
      count += segmentCount(text.slice(start, end)) - (start < i ? plainCount(text, start, i) : 0);
      i = end;
    } else if (text.charCodeAt(i) === 0x0d && text.charCodeAt(i + 1) === 0x0a) {
      count++;
      i += 2;
    } else {
      count++;
      i++;
    }
  }
  return count;
}

/** The window opens at the plain unit before a non-plain run (with its CR when that unit is the LF of a CR LF). */
function windowStart(text: string, i: number): number {
  if (i === 0) return 0;
  return text.charCodeAt(i - 1) === 0x0a && text.charCodeAt(i - 2) === 0x0d ? i - 2 : i - 1;
}

/** The window closes after the first plain unit that is followed by another plain unit (or the end). */
function windowEnd(text: string, i: number): number {
  let j = i;
  for (;;) {
    while (j < text.length && !isPlain(text.charCodeAt(j))) j++;
    if (j >= text.length) return text.length;
    const crlf = text.charCodeAt(j) === 0x0d && text.charCodeAt(j + 1) === 0x0a;
    const after = j + (crlf ? 2 : 1);
    if (after >= text.length || isPlain(text.charCodeAt(after))) return after;
    j = after;
  }
}

/** Clusters in a run of plain units: the leading context already counted before the window. */
function plainCount(text: string, start: number, end: number): number {
  return end - start === 2 && text.charCodeAt(start) === 0x0d ? 1 : end - start;
}

function segmentCount(text: string): number {
  let n = 0;
  for (const _ of graphemes.segment(text)) n++;
  return n;
}

export function countCodePoints(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

interface Limit {
  max: number;
  counting: Counting;
}

function checkLimits(platforms: Record<string, Limit>): void {
  for (const [name, limit] of Object.entries(platforms)) {
    if (!Number.isInteger(limit.max) || limit.max < 1) {
      throw new Error(`post_length: platforms.${name}.max must be a positive integer, got ${String(limit.max)}`);
    }
    if (!['twitter', 'graphemes', 'chars'].includes(limit.counting)) {
      throw new Error(`post_length: platforms.${name}.counting must be twitter, graphemes or chars`);
    }
  }
}

export const postLengthDetector: DetectorType<PostLengthParams> = {
  type: 'post_length',
  vars: ['length', 'max', 'excess', 'platform', 'counting'],
  compile(params, ctx): CompiledDetector {
    checkLimits(params.platforms);
    const limits = new Map(Object.entries(params.platforms));
    const fallback = limits.get('default');
    const defaultPlatform = params.default_platform ?? ctx.defaults.platform;
    return {
      detect(input) {
        const platform = input.platform || defaultPlatform;
        const limit = limits.get(platform) ?? fallback;
        if (!limit) return [];
        const findings: Finding[] = [];
        for (const post of input.posts) {
          const length = measure(post.text, limit.counting, limit.max);
          if (length === undefined || length <= limit.max) continue;
          const excess = length - limit.max;
          findings.push({
            post: post.index,
            vars: { length, max: limit.max, excess, platform, counting: limit.counting },
            edit: { action: 'shorten', by: excess },
          });
        }
        return findings;
      },
    };
  },
};
