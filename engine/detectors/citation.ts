import { Type, type Static } from '@sinclair/typebox';
import type { RE2JS } from 're2js';
import type { CompiledDetector, DetectorType, Finding, Post } from './detector.js';
import { scopeParam } from './scope.js';
import { compileAny } from './pattern.js';

const alt = (words: string[]) => `(?:${words.join('|')})`;
const NUMBER_WORDS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'a hundred', 'a thousand'];
const NUMBER_WORD = alt(['\\d+', ...NUMBER_WORDS]);
const COMPARATIVE = alt(['more', 'less', 'fewer', 'faster', 'slower', 'higher', 'lower', 'better', 'worse', 'bigger', 'smaller', 'likelier', 'as']);
const STUDY = '(?:new\\s+|recent\\s+)?(?:study|survey|poll|report)';
const AUTHORITY = alt(['studies', `(?:a\\s+)?${STUDY}`, 'research', 'science', 'data', 'statistics', 'experts', 'scientists', 'doctors']);
const FINDS_STEMS = ['show', 'prove', 'suggest', 'found', 'finds', 'confirm', 'reveal', 'agree'];
const FINDS = alt(['show(?:s|ed|n)?', 'prove(?:s|d|n)?', 'suggest(?:s|ed)?', 'found', 'finds', 'confirm(?:s|ed)?', 'reveal(?:s|ed)?', 'agrees?']);
const MULTIPLIED = ['doubled', 'tripled', 'quadrupled', 'halved', 'tenfold'];
const VAGUE_SOURCE = alt(['experts', 'studies', 'research', 'scientists', 'doctors', `(?:a|one)\\s+${STUDY}`]);

/** Statistical claims that need a source (RE2 syntax, matched case-insensitively). */
export const DEFAULT_CLAIM_PATTERNS: readonly string[] = [
  // 73%, 4.5 %, 1,000%, 12 percent
  '\\b\\d+(?:[.,]\\d+)*\\s?(?:%|percent\\b|per cent\\b)',
  // 3 out of 4, one in five
  `\\b${NUMBER_WORD}\\s+(?:out\\s+of|in)\\s+(?:every\\s+)?${NUMBER_WORD}\\b`,
  // 2x more, 3 times faster, 10× likelier
  `\\b\\d+(?:\\.\\d+)?\\s?(?:x|×|times)\\s+${COMPARATIVE}\\b`,
  `\\b${alt([...MULTIPLIED, '\\d+-fold'])}\\b`,
  // studies show, research proves, a recent study found, experts agree
  `\\b${AUTHORITY}\\s+${FINDS}\\b`,
  `\\baccording\\s+to\\s+${VAGUE_SOURCE}\\b`,
];

/**
 * True for every text a default claim pattern matches in (most posts match neither): a digit
 * (`\d` is ASCII in both engines), a multiplier, a verb of `FINDS`, `according`, or a number word
 * before `out`/`in`. The claims' RE2 test (~2.3 µs on a 280-character post) then runs; this costs
 * ~1.2 µs, three V8 expressions (one alternation of them all ~1.5). Without `u`, `\b` and `\s` read
 * as RE2's do (`\s` wider); `(?i)` also folds `s` with `ſ` and `k` with the Kelvin sign, which V8's
 * `i` without `u` does not: written out (`loose`; no word here has a `k` yet).
 */
export function mayClaim(text: string): boolean {
  return DIGIT.test(text) || CLAIM_WORD.test(text) || NUMBER_BEFORE_OUT_OR_IN.test(text);
}

const DIGIT = /[0-9]/;
const CLAIM_WORD = new RegExp([...MULTIPLIED, ...FINDS_STEMS, 'according'].map(loose).join('|'), 'i');
const NUMBER_BEFORE_OUT_OR_IN = new RegExp(`\\b${alt(NUMBER_WORDS.map(loose))}\\s+(?:out|in)\\s`, 'i');

function loose(word: string): string {
  return word.replace(/s/g, '[s\\u017F]').replace(/k/g, '[k\\u212A]');
}

/** The words that introduce a source when a colon follows ("Source: …", "via: …"); the text models read a link after them apart (classifier/words.ts). */
export const SOURCE_WORDS = 'sources?|src|refs?|references?|citations?|data|via';

/** What counts as a source (RE2 syntax, matched case-insensitively). */
export const DEFAULT_CITATION_PATTERNS: readonly string[] = [
  'https?://\\S+',
  '\\bwww\\.\\S+\\.\\S+',
  `\\b(?:${SOURCE_WORDS})\\s*:`,
  '\\b(?:via|h/t|hat tip|per)\\s+@\\w+',
  // [1] footnotes
  '\\[\\d{1,3}\\]',
  // (Smith, 2020), (Smith et al. 2020), (Smith & Jones, 2019a)
  "\\(\\s*\\p{L}[\\p{L}'’-]+(?:\\s+et\\s+al\\.?|\\s+(?:&|and)\\s+\\p{L}[\\p{L}'’-]+)?,?\\s+(?:1[89]|20)\\d{2}[a-z]?\\s*\\)",
  '\\bdoi\\s*:\\s*\\S+',
  '\\b10\\.\\d{4,9}/\\S+',
  '\\barxiv\\s*:\\s*\\d{4}\\.\\d{4,5}',
  // A named source: "according to the CDC", "published in Nature" (capitalised, unlike "according to experts").
  '\\b(?:according\\s+to|published\\s+(?:in|by)|reported\\s+by)\\s+(?:the\\s+)?(?-i:\\p{Lu})',
];

export const citationParams = Type.Object(
  {
    type: Type.Literal('citation'),
    claim_patterns: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description:
          'More claim patterns (RE2 syntax, case-insensitive), added to the built-in ones ' +
          '(percentages, "3 out of 4", "2x more", "doubled", "studies show", "according to experts").',
      }),
    ),
    citation_patterns: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description:
          'More citation patterns (RE2 syntax, case-insensitive), added to the built-in ones ' +
          '(URLs, `source:`, `via @x`, `[1]`, `(Smith, 2020)`, `doi:`, "according to the CDC").',
      }),
    ),
    include_defaults: Type.Optional(
      Type.Boolean({ default: true, description: 'Keep the built-in claim and citation patterns. Default: true.' }),
    ),
    scope: scopeParam(
      '`thread`: a source anywhere in the thread covers every claim (sources often come in the last post); ' +
      '`post`: each claim needs a source in its own post. Default: thread.',
    ),
  },
  { additionalProperties: false },
);
export type CitationParams = Static<typeof citationParams>;

const MAX_CLAIMS_PER_POST = 20;
// "100% sure" is an emphasis, not a statistic.
const HUNDRED_PERCENT = /^100\s?(?:%|percent|per cent)$/i;
const EMPHASIS_AFTER = /^\s+(?:sure|certain|agree|honest|serious|committed|true|real|right|correct|yes|worth it|with you|behind)\b/i;

function isEmphasis(text: string, claim: string, end: number): boolean {
  return HUNDRED_PERCENT.test(claim) && EMPHASIS_AFTER.test(text.slice(end, end + 24));
}

function patternList(label: string, defaults: readonly string[], extra: string[] | undefined, keep: boolean): string[] {
  const list = [...(keep ? defaults : []), ...(extra ?? [])];
  if (list.length === 0) throw new Error(`citation: no ${label} patterns (include_defaults is false and ${label}_patterns is empty)`);
  return list;
}

/** Uncited claims of a post. re2js costs ~8 µs per match for spans, so this runs only once a claim is known uncited. */
function claimsIn(post: Post, claims: RE2JS): Finding[] {
  const findings: Finding[] = [];
  for (const m of claims.matchAll(post.text)) {
    const claim = m[0].trim();
    if (claim.length === 0) continue;
    const start = m.index! + m[0].indexOf(claim);
    if (isEmphasis(post.text, claim, start + claim.length)) continue;
    findings.push({
      post: post.index,
      span: [start, start + claim.length],
      match: claim,
      vars: { claim },
      edit: { action: 'insert', note: 'add a source' },
    });
    if (findings.length >= MAX_CLAIMS_PER_POST) break;
  }
  return findings;
}

export const citationDetector: DetectorType<CitationParams> = {
  type: 'citation',
  vars: ['claim'],
  compile(params): CompiledDetector {
    const keep = params.include_defaults ?? true;
    const claims = compileAny(patternList('claim', DEFAULT_CLAIM_PATTERNS, params.claim_patterns, keep));
    const citations = compileAny(patternList('citation', DEFAULT_CITATION_PATTERNS, params.citation_patterns, keep));
    const perPost = params.scope === 'post';
    // mayClaim knows the default claims only.
    const prefiltered = keep && !params.claim_patterns?.length;
    return {
      detect({ posts }) {
        // `test` runs on RE2's DFA (~1 µs per post); most posts make no claim, or cite one.
        const claiming = posts.filter((p) => (!prefiltered || mayClaim(p.text)) && claims.test(p.text));
        if (claiming.length === 0) return [];
        if (!perPost && posts.some((p) => citations.test(p.text))) return [];
        const uncited = perPost ? claiming.filter((p) => !citations.test(p.text)) : claiming;
        return uncited.flatMap((p) => claimsIn(p, claims));
      },
    };
  },
};
