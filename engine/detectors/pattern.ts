import { Type, type Static } from '@sinclair/typebox';
import { RE2JS } from 're2js';
import { ParamError, type CompiledDetector, type DetectorType, type Finding, type Post } from './detector.js';
import { foldedPost, leadingLiterals, literalsFrom, requiredLiterals } from './pattern-literals.js';
import { joinPackScan } from './pattern-scan.js';

export const patternParams = Type.Object(
  {
    type: Type.Literal('pattern'),
    patterns: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description:
        'Regular expressions in RE2 syntax (linear-time: no backreferences or lookaround), e.g. `use my code \\w+`. ' +
        'Each match is a finding.',
    }),
    flags: Type.Optional(
      Type.String({
        pattern: '^[ims]*$',
        default: 'i',
        description:
          '`i` case-insensitive, `m` ^/$ match at line breaks, `s` dot matches newline. ' +
          'Default: `i`; `""` for case-sensitive.',
      }),
    ),
    unless: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description:
          'RE2 patterns whose match anywhere in the thread suppresses every finding, ' +
          'e.g. `#ad|#sponsored|paid partnership`.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PatternParams = Static<typeof patternParams>;

/** Limits on one author-written pattern: matching cost grows with the compiled program. */
export const MAX_PATTERN_CHARS = 4_096;
export const MAX_PATTERN_PROGRAM = 5_000;

const FLAG_BITS: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL };
// A pattern matching everywhere (`.`) must not flood the decision.
const MAX_MATCHES_PER_POST = 100;

// Constructs that backtracking engines accept and RE2 refuses, to name the culprit in the error.
const UNSUPPORTED: [RegExp, string][] = [
  [/\\[1-9]|\\k<|\\g\{?-?\d/, 'backreferences (\\1, \\k<name>)'],
  [/\(\?<[=!]/, 'lookbehind ((?<=…), (?<!…))'],
  [/\(\?[=!]/, 'lookahead ((?=…), (?!…))'],
  [/\(\?>/, 'atomic groups ((?>…))'],
  [/[*+?}]\+/, 'possessive quantifiers (a++, a*+)'],
];

export function flagBits(flags: string): number {
  let bits = 0;
  for (const f of flags) {
    const bit = FLAG_BITS[f];
    if (bit === undefined) throw new Error(`unknown regular expression flag "${f}" (allowed: i, m, s)`);
    bits |= bit;
  }
  return bits;
}

/**
 * Compiles an author-written pattern with RE2 (re2js), never V8's backtracking
 * RegExp, so that matching time stays linear in the text whatever the pattern.
 * Throws an Error naming the pattern and the refused construct.
 */
export function compileSafePattern(source: string, flags = 'i'): RE2JS {
  const bits = flagBits(flags);
  if (source.length > MAX_PATTERN_CHARS) {
    throw new Error(
      `pattern of ${source.length} characters is refused (limit ${MAX_PATTERN_CHARS}): put long word lists in a lexicon, ` +
        'which matches any number of terms in one pass',
    );
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, bits);
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    const culprit = UNSUPPORTED.find(([probe]) => probe.test(source))?.[1];
    throw new Error(
      `pattern ${JSON.stringify(source)} is refused: ${reason}. Patterns use RE2 syntax, which guarantees linear-time ` +
        `matching${culprit ? `; ${culprit} are not allowed` : ''} (RE2 supports no backreferences, lookaround, ` +
        'atomic groups or possessive quantifiers).',
    );
  }
  // RE2 time is linear in the text but also in the program: a 60,000-way alternation is linear
  // and still takes seconds per post. The program size is the deterministic measure of that cost.
  const size = re.programSize();
  if (size > MAX_PATTERN_PROGRAM) {
    throw new Error(
      `pattern ${JSON.stringify(source.length > 60 ? `${source.slice(0, 57)}…` : source)} compiles to ${size} RE2 ` +
        `instructions (limit ${MAX_PATTERN_PROGRAM}): each post pays for every instruction. Split it, bound its ` +
        'repetitions ({0,50} rather than {0,5000}), or move word lists to a lexicon.',
    );
  }
  return re;
}

/** Compiles each pattern of a list, a refused one reported at its own place (`patterns[2]`). */
export function compileEach(key: string, sources: readonly string[], flags = 'i'): RE2JS[] {
  return sources.map((source, i) => {
    try {
      return compileSafePattern(source, flags);
    } catch (error) {
      throw new ParamError([key, i], (error as Error).message);
    }
  });
}

/** One RE2 program for "does any of these match?", after checking each pattern alone for a precise error. */
export function compileAny(sources: readonly string[], flags = 'i', key?: string): RE2JS {
  if (key) compileEach(key, sources, flags);
  else for (const source of sources) compileSafePattern(source, flags);
  return compileSafePattern(anySource(sources), flags);
}

/** One pattern matching where any of the sources does. */
function anySource(sources: readonly string[]): string {
  return sources.map((s) => `(?:${s})`).join('|');
}

/**
 * Every match of one pattern in a post, found with re2js's matcher. Not `re.matchAll`: it also
 * reruns each match for every capture group, which nothing here reads; and a matcher's search
 * for the next match runs the backtracker over the rest of the post even when nothing is left,
 * the costliest step on a post with one match (~25 µs of ~40). So before each further search,
 * `mayMatchFrom` asks RE2's DFA (`test`, ~1 µs per post) whether anything remains.
 *
 * With `starts` (where a match may start), each search and test begins at the first of them
 * instead: the backtracker tries every position from where it begins (~100 ns each; ~5 µs to
 * reach the code on the second line of the benchmark's post with violations, ~1 µs from it),
 * and none left means no further search. Such a pattern's matches are never empty (they start
 * with a string), so `find(from)` goes on where `find()` would.
 */
function matchesOf(post: Post, re: RE2JS, source: string, starts?: (from: number) => number, rest?: (from: number) => boolean): Finding[] {
  const findings: Finding[] = [];
  const matcher = re.matcher(post.text);
  let from = starts ? starts(0) : 0;
  while (from >= 0 && (starts ? matcher.find(from) : matcher.find())) {
    const start = matcher.start();
    const end = matcher.end();
    if (end > start) {
      findings.push({ post: post.index, span: [start, end], match: matcher.group()!, vars: { pattern: source } });
      if (findings.length >= MAX_MATCHES_PER_POST) break;
    }
    const next = starts ? starts(end) : end;
    // The words every match needs, looked for past `next` first: most often one is missing, and
    // an indexOf per word costs far less than the DFA's pass over the rest of the post (~2 µs).
    from = next >= 0 && (!rest || rest(next)) && mayMatchFrom(re, post.text, next) ? next : -1;
  }
  return findings;
}

/**
 * Whether every list of `needs` (requiredLiterals) has a string at `from` or later: false means
 * no match starts there or later, as a match holds one string of each list. Undefined (no test)
 * when positions in the lower-cased text are not the post's (see startsOf) or nothing is needed.
 */
function restOf(post: Post, folded: string, needs: readonly (readonly string[])[]): ((from: number) => boolean) | undefined {
  if (needs.length === 0 || folded.length !== post.text.length) return undefined;
  return (from) => literalsFrom(post.text, folded, needs, from);
}

/**
 * Where in the post, from `from` on, the first of `leads` (leadingLiterals) is: no match starts
 * before. Positions in the lower-cased text are the post's when it kept its length (lower-casing
 * never shortens a char, so then none grew); otherwise every position may start one.
 */
function startsOf(post: Post, folded: string, leads: readonly string[]): (from: number) => number {
  if (folded.length !== post.text.length) return (from) => from;
  return (from) => {
    let first = -1;
    for (const lead of leads) {
      const at = folded.indexOf(lead, from);
      if (at >= 0 && (first < 0 || at < first)) first = at;
    }
    return first;
  };
}

/**
 * False only if no match of `re` starts at `from` or later. The text is cut one character
 * before `from` so that the assertions that look back (`\b`, `\B`, `^` under `m`) see the same
 * character there as in the whole text; RE2 has no lookbehind, so nothing looks further back.
 * A match starting at the cut itself, or `^`/`\A` true there, can only make it answer true.
 */
function mayMatchFrom(re: RE2JS, text: string, from: number): boolean {
  return from < 1 || re.test(text.slice(from - 1));
}

export const patternDetector: DetectorType<PatternParams> = {
  type: 'pattern',
  vars: ['pattern'],
  compile(params, ctx): CompiledDetector {
    const flags = params.flags ?? 'i';
    const compiled = compileEach('patterns', params.patterns, flags);
    const patterns = params.patterns.map((source, i) => ({
      source,
      re: compiled[i]!,
      program: compiled[i]!.programSize(),
      leads: leadingLiterals(source),
      needs: requiredLiterals(source, flags),
    }));
    const unless = params.unless?.length ? compileAny(params.unless, flags, 'unless') : undefined;
    // One pass over a post, shared by the pack's pattern checks, says which patterns match at
    // all (only those run for spans). `unless` runs only when something matched: most posts match
    // nothing, and a disclosure pattern needs no particular word, so it would make its set run on every post.
    const anyOf = joinPackScan(ctx, patterns, flags);
    return {
      detect(input) {
        const { posts } = input;
        const findings: Finding[] = [];
        for (const post of posts) {
          for (const id of anyOf.matching(input, post)) {
            const { source, re, leads, needs } = patterns[id]!;
            const folded = foldedPost(input, post);
            const starts = leads && startsOf(post, folded, leads);
            findings.push(...matchesOf(post, re, source, starts, restOf(post, folded, needs)));
          }
        }
        if (findings.length > 0 && unless && posts.some((post) => unless.test(post.text))) return [];
        return findings;
      },
    };
  },
};
