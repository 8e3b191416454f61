import { Type, type Static } from '@sinclair/typebox';
import { REVEAL, revelationsOf, SENTENCE_BREAK, type NormalizedText } from '../normalize.js';
import { PhraseSet } from '../phrases/phrase-set.js';
import type { Tokens } from '../phrases/tokens.js';
import type { CompiledDetector, CompileContext, DetectorType, Finding } from './detector.js';

export const phraseParams = Type.Object(
  {
    type: Type.Literal('phrase'),
    phrases: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description: 'Ids of the pack phrase sets (`phrases:`) whose rules this check matches.',
    }),
    signals: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description: 'Only the rules with these signals (a rule\'s signal defaults to its id); default: every rule of the sets.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PhraseParams = Static<typeof phraseParams>;

// Keyed by the pack's phrase map, so that checks naming the same set share one automaton.
const setCache = new WeakMap<object, Map<string, PhraseSet>>();

function phraseSet(id: string, ctx: CompileContext): PhraseSet {
  let cache = setCache.get(ctx.phrases);
  if (!cache) setCache.set(ctx.phrases, (cache = new Map()));
  let set = cache.get(id);
  if (!set) {
    const spec = ctx.phrases.get(id);
    if (!spec) throw new Error(`unknown phrase set "${id}" (declare it under phrases:)`);
    try {
      set = new PhraseSet(spec, ctx.lexicons);
    } catch (error) {
      throw new Error(`phrases.${id}: ${(error as Error).message}`);
    }
    cache.set(id, set);
  }
  return set;
}

export const phraseDetector: DetectorType<PhraseParams> = {
  type: 'phrase',
  vars: ['rule', 'signal'],
  compile(params, ctx): CompiledDetector {
    const sets = params.phrases.map((id) => phraseSet(id, ctx));
    const only = params.signals ? new Set(params.signals) : undefined;
    if (only) {
      const known = new Set(sets.flatMap((s) => s.signals));
      const unknown = [...only].filter((r) => !known.has(r));
      if (unknown.length > 0) throw new Error(`no rule of ${params.phrases.join(', ')} has the signal(s) ${unknown.join(', ')}`);
    }
    return {
      detect(input) {
        const findings: Finding[] = [];
        for (const post of input.posts) {
          const normalized = input.normalized(post.index);
          const tokens = input.tokens(post.index);
          const ctxFor = {
            normalized,
            tokens,
            text: post.text,
            thread: () => input.posts.map((p) => ({ normalized: input.normalized(p.index), tokens: input.tokens(p.index) })),
          };
          for (const set of sets) {
            const { matches, suppressed } = set.find(ctxFor, only);
            for (const m of matches) {
              const [start, end] = [m.from, m.to];
              findings.push({
                post: post.index,
                span: [start, end],
                match: post.text.slice(start, end),
                revealed_by: revelationsOf(revealedIn(normalized, tokens, m.first, m.last)),
                vars: { rule: m.rule, signal: m.signal },
                signal: m.signal,
                sentence: m.sentence,
              });
              input.trace?.({ post: post.index, span: [start, end], rule: m.rule, outcome: 'matched' });
            }
            if (input.trace) {
              for (const s of suppressed) {
                input.trace({ post: post.index, span: [s.from, s.to], rule: s.rule, outcome: 'suppressed', guard: s.guard });
              }
            }
          }
        }
        return findings;
      },
    };
  },
};

/** Evasions inside the words of a phrase match; ordinary capitals (`I`, `Kill`) are not one. */
function revealedIn(n: NormalizedText, tokens: Tokens, first: number, last: number): number {
  let flags = 0;
  for (let t = first; t < last; t++) {
    for (let i = tokens.start[t]!; i >= 0 && i < tokens.end[t]!; i++) flags |= n.flags[i]!;
  }
  return flags & ~(SENTENCE_BREAK | REVEAL.case);
}
