import { Type, type Static } from '@sinclair/typebox';
import type { NormalizedText } from '../normalize.js';
import { REVEAL, revelationsOf, SENTENCE_BREAK } from '../normalize/revelations.js';
import { PhraseSet, type PhraseContext } from '../phrases/phrase-set.js';
import { Vocabulary } from '../phrases/vocabulary.js';
import type { Tokens } from '../phrases/tokens.js';
import type { CompiledDetector, CompileContext, DetectionInput, DetectorType, Finding } from './detector.js';

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

/** A phrase check reading a set: its signals (undefined: every rule's). */
interface Reader {
  only: ReadonlySet<string> | undefined;
}

// The sets of a pack (ctx.built): checks naming the same set share one automaton, and the sets
// share one vocabulary, so a post's words are looked up once for all of them. Per set, the phrase
// checks that read it, in the order they compile (the pack's order of checks): compile-time only.
const packReaders = new WeakMap<object, Map<PhraseSet, Reader[]>>();

function packSets(ctx: CompileContext): { vocab: Vocabulary; sets: Map<string, PhraseSet>; readers: Map<PhraseSet, Reader[]> } {
  const built = (ctx.built ??= {});
  const phrases = (built.phrases ??= { vocab: new Vocabulary(), sets: new Map() });
  let readers = packReaders.get(phrases);
  if (!readers) packReaders.set(phrases, (readers = new Map()));
  return { ...phrases, readers };
}

export function phraseSet(id: string, ctx: CompileContext): PhraseSet {
  const cache = packSets(ctx);
  let set = cache.sets.get(id);
  if (!set) {
    const spec = ctx.phrases.get(id);
    if (!spec) throw new Error(`unknown phrase set "${id}" (declare it under phrases:)`);
    try {
      set = new PhraseSet(spec, ctx.lexicons, cache.vocab);
    } catch (error) {
      throw new Error(`phrases.${id}: ${(error as Error).message}`);
    }
    cache.sets.set(id, set);
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
    const { readers } = packSets(ctx);
    const me: Reader = { only };
    for (const set of sets) readers.set(set, [...(readers.get(set) ?? []), me]);
    // Per set, its patterns this check reads when it finds them alone (below); set at the first
    // evaluation, when every check of the pack has compiled.
    let plans: (Uint8Array | undefined)[] | undefined;
    return {
      detect(input) {
        plans ??= sets.map((set) => (only && readsAlone(readers.get(set)!, me) ? set.patternsOf(only) : undefined));
        const findings: Finding[] = [];
        for (const post of input.posts) {
          const normalized = input.normalized(post.index);
          const tokens = input.tokens(post.index);
          for (let k = 0; k < sets.length; k++) {
            const set = sets[k]!;
            const plan = plans[k];
            const { matches, suppressed } = plan ? onlyResultsOf(set, plan, post.index, input) : resultsOf(set, post.index, input);
            for (const m of matches) {
              if (only && !only.has(m.signal)) continue;
              findings.push({
                post: post.index,
                span: [m.from, m.to],
                match: post.text.slice(m.from, m.to),
                revealed_by: revelationsOf(revealedIn(normalized, tokens, m.first, m.last)),
                vars: { rule: m.rule, signal: m.signal },
                signal: m.signal,
                sentence: m.sentence,
              });
              input.trace?.({ post: post.index, span: [m.from, m.to], rule: m.rule, outcome: 'matched' });
            }
            if (!input.trace) continue;
            for (const s of suppressed) {
              if (only && !only.has(s.signal)) continue;
              input.trace({ post: post.index, span: [s.from, s.to], rule: s.rule, outcome: 'suppressed', guard: s.guard });
            }
          }
        }
        return findings;
      },
    };
  },
};

/** A set's matches in a post, computed once per evaluation and shared by every check that reads the set. */
export function resultsOf(set: PhraseSet, post: number, input: DetectionInput): ReturnType<PhraseSet['find']> {
  const perPost = input.memo(set, () => new Array<ReturnType<PhraseSet['find']> | undefined>(input.posts.length));
  return (perPost[post] ??= set.find(contextOf(set, post, input)));
}

function contextOf(set: PhraseSet, post: number, input: DetectionInput): PhraseContext {
  return {
    tokens: input.tokens(post),
    ids: idsOf(set.vocab, post, input),
    text: input.posts[post]!.text,
    thread: () => input.posts.map((p) => idsOf(set.vocab, p.index, input)),
  };
}

/**
 * Whether a check with a signal filter finds its own rules' matches alone (`find`'s `only`), not
 * every rule's: when each other check reading the set reads every rule and comes before it. Such
 * a check, when it runs, leaves the set's results for this one to filter; when its score bars
 * skip it (self-harm, beside self-harm-encouragement), the rules only it reads are not run. Two
 * filtered checks share one find of every rule instead. (A classifier's guards may still ask for
 * every rule later, on a post its model nearly fires on: a small find twice.)
 */
function readsAlone(readers: readonly Reader[], me: Reader): boolean {
  const at = readers.indexOf(me);
  return readers.every((r, i) => r === me || (r.only === undefined && i < at));
}

/** The matches of the rules of `only`'s patterns: filtered from every rule's when a check has found those, else found alone. */
function onlyResultsOf(set: PhraseSet, only: Uint8Array, post: number, input: DetectionInput): ReturnType<PhraseSet['find']> {
  const every = input.memo(set, () => new Array<ReturnType<PhraseSet['find']> | undefined>(input.posts.length))[post];
  if (every) return every;
  const perPost = input.memo(only, () => new Array<ReturnType<PhraseSet['find']> | undefined>(input.posts.length));
  return (perPost[post] ??= set.find(contextOf(set, post, input), only));
}

/** A post's word ids in a pack's phrase vocabulary, once per evaluation. */
function idsOf(vocab: Vocabulary, post: number, input: DetectionInput): (readonly number[] | null)[] {
  const perPost = input.memo(vocab, () => new Array<(readonly number[] | null)[] | undefined>(input.posts.length));
  return (perPost[post] ??= vocab.idsOf(input.normalized(post), input.tokens(post)));
}

/** Evasions inside the words of a phrase match; ordinary capitals (`I`, `Kill`) are not one. */
function revealedIn(n: NormalizedText, tokens: Tokens, first: number, last: number): number {
  let flags = 0;
  for (let t = first; t < last; t++) {
    for (let i = tokens.start[t]!; i >= 0 && i < tokens.end[t]!; i++) flags |= n.flags[i]!;
  }
  return flags & ~(SENTENCE_BREAK | REVEAL.case);
}
