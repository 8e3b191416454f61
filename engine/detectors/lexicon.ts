import { Type, type Static } from '@sinclair/typebox';
import { type CompoundMode, LexiconMatcher, type MatcherLexicon, type TermSpec } from '../lexicon-matcher.js';
import type { CompiledDetector, DetectorType, Finding, ResolvedLexicon } from './detector.js';
import { ScanGroup } from '../lexicon-scan-group.js';

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
/** Per pack, likewise: its matchers scan a post once between them (lexicon-scan-group.ts). */
const scanGroups = new WeakMap<object, ScanGroup>();

function matcherFor(ids: readonly string[], ctx: Ctx): LexiconMatcher {
  let cache = matcherCache.get(ctx.lexicons);
  if (!cache) matcherCache.set(ctx.lexicons, (cache = new Map()));
  const key = ids.join('\u0000');
  let matcher = cache.get(key);
  if (!matcher) cache.set(key, (matcher = buildMatcher(ids, ctx)));
  return matcher;
}

function buildMatcher(ids: readonly string[], ctx: Ctx): LexiconMatcher {
  let group = scanGroups.get(ctx.lexicons);
  if (!group) scanGroups.set(ctx.lexicons, (group = new ScanGroup()));
  return new LexiconMatcher(
    ids.map((id) => {
      const lexicon = ctx.lexicons.get(id);
      if (!lexicon) throw new Error(`unknown lexicon "${id}" (declare it under lexicons:)`);
      return matcherLexicon(lexicon);
    }),
    group,
  );
}

/** A resolved pack lexicon as the matcher takes it: per-term compound modes and variant switches. */
export function matcherLexicon(lexicon: ResolvedLexicon): MatcherLexicon {
  const compound = new Map<string, CompoundMode>();
  for (const mode of ['prefix', 'suffix', 'any'] as const) for (const t of lexicon.compound?.[mode] ?? []) compound.set(t, mode);
  const plain = new Set(lexicon.plain ?? []);
  for (const t of [...compound.keys(), ...plain]) {
    if (!lexicon.terms.includes(t)) throw new Error(`lexicon "${lexicon.id}": "${t}" is not one of its terms`);
  }
  return {
    id: lexicon.id,
    terms: lexicon.terms.map((term): TermSpec | string =>
      compound.has(term) || plain.has(term) ? { term, compound: compound.get(term), variants: plain.has(term) ? false : undefined } : term,
    ),
    allow: lexicon.allow,
    language: lexicon.language,
    variants: lexicon.variants,
    context: lexicon.context,
  };
}

export const lexiconDetector: DetectorType<LexiconParams> = {
  type: 'lexicon',
  vars: ['term'],
  compile(params, ctx): CompiledDetector {
    const matcher = matcherFor(params.lexicons, ctx);
    const unless = params.unless?.length ? matcherFor(params.unless, ctx) : undefined;
    return {
      detect(input) {
        const findings: Finding[] = [];
        for (const post of input.posts) {
          for (const hit of matcher.find(input.normalized(post.index))) {
            if (hit.revealed_by.includes('leetspeak') && notLeetspeak(post.text, hit.start, hit.end)) continue;
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

/**
 * Where what leetspeak revealed is an id or a name, not a word: digits in a link
 * (bbc.com/news/world-68820571 does not say "0571", osti, one link in a few hundred), a piece of a
 * longer run of digits and letters (a commit `de1b67f`, a handle `@w1b67f`: "7f"), and the `@` that
 * starts a handle (`@ss_photography`, `@f6336b`). A term spelled out there still counts, and so
 * does a word of its own ("kiss my @ss", "5h1t").
 */
function notLeetspeak(text: string, from: number, to: number): boolean {
  if (isDigit(text.charCodeAt(from - 1)) || isDigit(text.charCodeAt(to))) return true;
  if (text[from] === '@' && (from === 0 || SPACE.test(text[from - 1]!)) && HANDLE_CHAR.test(text[to] ?? '')) return true;
  return inLink(text, from, to);
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const HANDLE_CHAR = /[A-Za-z0-9_]/;

// A run without spaces that starts as a link does: a scheme or www., or a host and a path, which
// catches the short hosts (x.com/…/status/…, t.co/…) that the text's link expression leaves out.
const LINK_START = /^[(<["']?(?:[a-z][a-z0-9+.-]*:\/\/|www\.|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\/)/i;
const SPACE = /\s/;

/** Is text[from, to) inside a link (the run of non-space characters around it starts as one)? */
function inLink(text: string, from: number, to: number): boolean {
  let start = from;
  while (start > 0 && !SPACE.test(text[start - 1]!)) start--;
  let end = to;
  while (end < text.length && !SPACE.test(text[end]!)) end++;
  return LINK_START.test(text.slice(start, end));
}
