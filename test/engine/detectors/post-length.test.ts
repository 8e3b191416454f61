import { describe, it, expect } from 'vitest';
import { postLengthDetector, type PostLengthParams } from '../../../engine/detectors/post-length.js';
import { countGraphemes, weightedLengthUpperBound } from '../../../engine/detectors/text-units.js';
import { ctx, inputFor } from './inputs.js';

const FAMILY = '👨‍👩‍👧‍👦';

const params: PostLengthParams = {
  type: 'post_length',
  platforms: {
    x: { max: 280, counting: 'twitter' },
    bluesky: { max: 300, counting: 'graphemes' },
    tiny: { max: 2, counting: 'graphemes' },
    chars3: { max: 3, counting: 'chars' },
    default: { max: 10, counting: 'chars' },
  },
};

const input = inputFor('post_length');

function detect(texts: string[], platform?: string, p: PostLengthParams = params) {
  return postLengthDetector.compile(p, ctx).detect(input(texts, { platform }));
}

describe('post_length: X weighted length', () => {
  it.each([
    ['281 ASCII characters', 'x'.repeat(281), 281],
    ['a long URL counts 23', `${'a'.repeat(260)} https://example.com/${'p'.repeat(100)}`, 260 + 1 + 23],
    ['a bare domain counts 23', `${'a'.repeat(260)} example.com`, 284],
    ['CJK weighs 2', '日本語'.repeat(50), 300],
    ['emoji weigh 2', '😀'.repeat(141), 282],
    ['a family emoji (ZWJ sequence) weighs 2 in all', FAMILY.repeat(141), 282],
    ['accents weigh 1 (Latin is below U+10FF)', 'é'.repeat(290), 290],
    ['Cyrillic weighs 1', 'Ж'.repeat(281), 281],
  ])('%s', (_name, text, length) => {
    const [finding, ...rest] = detect([text]);
    expect(rest).toEqual([]);
    expect(finding).toEqual({
      post: 0,
      vars: { length, max: 280, excess: length - 280, platform: 'x', counting: 'twitter' },
      edit: { action: 'shorten', by: length - 280 },
    });
  });

  it.each([
    ['280 ASCII characters', 'x'.repeat(280)],
    ['a 300-character URL in a short post', `read https://example.com/${'p'.repeat(280)}`],
    ['140 CJK characters', '日'.repeat(140)],
    ['140 emoji', '😀'.repeat(140)],
    ['decomposed accents NFC-normalise to 280', 'e\u0301'.repeat(280)],
  ])('%s is within the limit', (_name, text) => {
    expect(detect([text])).toEqual([]);
  });

  it('reports only the over-long posts of a thread, by index', () => {
    const findings = detect(['short', 'y'.repeat(300), 'fine']);
    expect(findings.map((f) => [f.post, f.vars?.excess])).toEqual([[1, 20]]);
  });
});

describe('post_length: the fast paths', () => {
  it('reports a post ten times over the limit without parsing it (parseTweet is quadratic on `a.` × 20,000)', () => {
    const hostile = 'a.'.repeat(20_000);
    const [finding] = detect([hostile], 'x');
    // parseTweet would give 40,000 too, after seconds; the character count is the answer here.
    expect(finding?.vars).toMatchObject({ length: 40_000, max: 280, excess: 39_720 });
  });

  it('lets a typical 270-character post skip parseTweet', () => {
    const post = 'Shipping notes: faster builds, fewer flaky tests, and a cleaner API. Thanks to everyone who reviewed! '
      .repeat(3)
      .slice(0, 270);
    // The bound alone proves the post fits, so parseTweet (~12-25 µs) never runs.
    expect(weightedLengthUpperBound(post)).toBeLessThanOrEqual(280);
    const detector = postLengthDetector.compile(params, ctx);
    const thread = input([post]);
    for (let i = 0; i < 2_000; i++) detector.detect(thread);
    const runs = 20_000;
    const start = performance.now();
    for (let i = 0; i < runs; i++) detector.detect(thread);
    const micros = ((performance.now() - start) * 1000) / runs;
    console.log(`post_length: ${micros.toFixed(2)} µs per 270-character post`);
    // ~1 µs on an idle machine; the bound only catches a gross regression on a busy one.
    expect(micros).toBeLessThan(50);
  });
});

describe('post_length: graphemes and chars', () => {
  it('counts a family emoji as one grapheme', () => {
    expect(countGraphemes(FAMILY)).toBe(1);
    expect(countGraphemes('a\r\nb')).toBe(3);
    expect(detect([FAMILY.repeat(2)], 'tiny')).toEqual([]);
    expect(detect([FAMILY.repeat(3)], 'tiny')[0]?.vars).toEqual({
      length: 3, max: 2, excess: 1, platform: 'tiny', counting: 'graphemes',
    });
  });

  it('counts code points for chars (an emoji is one, a ZWJ family is seven)', () => {
    expect(detect(['😀😀😀'], 'chars3')).toEqual([]);
    expect(detect([FAMILY], 'chars3')[0]?.vars?.length).toBe(7);
  });
});

describe('post_length: platform resolution', () => {
  it('falls back to the default entry for an unknown platform', () => {
    expect(detect(['eleven char'], 'mastodon')[0]?.vars).toMatchObject({ length: 11, max: 10, platform: 'mastodon' });
  });

  it('uses default_platform when the request names none', () => {
    const p = { ...params, default_platform: 'tiny' };
    expect(detect(['abc'], '', p)[0]?.vars).toMatchObject({ platform: 'tiny', length: 3 });
  });

  it('uses the pack default platform when neither names one', () => {
    expect(detect(['x'.repeat(281)], '')[0]?.vars).toMatchObject({ platform: 'x' });
  });

  it('measures nothing for an unlisted platform without a default entry', () => {
    const p: PostLengthParams = { type: 'post_length', platforms: { x: { max: 1, counting: 'chars' } } };
    expect(detect(['long text'], 'linkedin', p)).toEqual([]);
  });

  it('refuses a non-positive max at compile time', () => {
    const p: PostLengthParams = { type: 'post_length', platforms: { x: { max: 0, counting: 'chars' } } };
    expect(() => postLengthDetector.compile(p, ctx)).toThrow(/platforms\.x\.max must be a positive integer/);
  });
});
