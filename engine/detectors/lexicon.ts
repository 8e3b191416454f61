import { Type, type Static } from '@sinclair/typebox';
import { LexiconMatcher } from '../lexicon-matcher.js';
import type { CompiledDetector, DetectorType, Finding } from './detector.js';

export const lexiconParams = Type.Object(
  {
    type: Type.Literal('lexicon'),
    lexicons: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description: 'Ids of the pack lexicons whose terms this check matches (evasion-resistant, whole words).',
    }),
    unless: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description: 'Ids of lexicons whose presence anywhere in the thread suppresses every finding (e.g. a disclosure such as #ad).',
      }),
    ),
  },
  { additionalProperties: false },
);
export type LexiconParams = Static<typeof lexiconParams>;

type Ctx = Parameters<DetectorType<LexiconParams>['compile']>[1];

// Keyed by the pack's lexicon map, so that checks naming the same lexicons share one automaton.
const matcherCache = new WeakMap<object, Map<string, LexiconMatcher>>();

function matcherFor(ids: readonly string[], ctx: Ctx): LexiconMatcher {
  let cache = matcherCache.get(ctx.lexicons);
  if (!cache) matcherCache.set(ctx.lexicons, (cache = new Map()));
  const key = ids.join('\u0000');
  let matcher = cache.get(key);
  if (!matcher) cache.set(key, (matcher = buildMatcher(ids, ctx)));
  return matcher;
}

function buildMatcher(ids: readonly string[], ctx: Ctx): LexiconMatcher {
  const terms: string[] = [];
  const allow: string[] = [];
  for (const id of ids) {
    const lexicon = ctx.lexicons.get(id);
    if (!lexicon) throw new Error(`unknown lexicon "${id}" (declare it under lexicons:)`);
    terms.push(...lexicon.terms);
    allow.push(...lexicon.allow);
  }
  return new LexiconMatcher(terms, allow);
}

export const lexiconDetector: DetectorType<LexiconParams> = {
  type: 'lexicon',
  compile(params, ctx): CompiledDetector {
    const matcher = matcherFor(params.lexicons, ctx);
    const unless = params.unless?.length ? matcherFor(params.unless, ctx) : undefined;
    return {
      detect(input) {
        const findings: Finding[] = [];
        for (const post of input.posts) {
          for (const hit of matcher.find(input.normalized(post.index))) {
            findings.push({
              post: post.index,
              span: [hit.start, hit.end],
              match: post.text.slice(hit.start, hit.end),
              revealed_by: hit.revealed_by,
              vars: { term: hit.term },
            });
          }
        }
        if (findings.length > 0 && unless) {
          const disclosed = input.posts.some((post) => unless.find(input.normalized(post.index)).length > 0);
          if (disclosed) return [];
        }
        return findings;
      },
    };
  },
};
