import { Type, type Static } from '@sinclair/typebox';
import type { CompiledDetector, DetectorType, Finding } from './detector.js';
import { countCodePoints, countGraphemes, weightedLength, weightedLengthUpperBound } from './text-units.js';

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

const OVERSIZE_FACTOR = 10;

/** Length in `units`, or undefined when it is provably at most `max` (so the exact value is not needed). */
function measure(text: string, units: Counting, max: number): number | undefined {
  switch (units) {
    case 'twitter':
      if (weightedLengthUpperBound(text) <= max) return undefined;
      // parseTweet is quadratic on some inputs (`a.` × 20,000 takes seconds): a post ten times
      // over the limit in characters is over it, and its length in characters says so well enough.
      if (text.length > OVERSIZE_FACTOR * max) return text.length;
      return weightedLength(text);
    case 'graphemes':
      // Graphemes never outnumber UTF-16 code units.
      return text.length <= max ? undefined : countGraphemes(text);
    case 'chars':
      return text.length <= max ? undefined : countCodePoints(text);
  }
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
