import { Type, type Static } from '@sinclair/typebox';
import { featuresOf, readWords, wordsAt, type FeatureList, type FeatureScratch, type WordList, type WordScratch } from '../classifier/features.js';
import { FeatureTable, type Present } from '../classifier/feature-table.js';
import { TextModel, type ModelSpec } from '../classifier/model.js';
import { occurrencesTouching } from '../classifier/occurrences.js';
import { unquoted } from '../classifier/quoted-speech.js';
import { withoutThreadLabels } from '../classifier/thread-labels.js';
import type { CompiledDetector, CompileContext, DetectionInput, DetectorType, Finding } from './detector.js';
import { phraseSet, resultsOf } from './phrase.js';

export const classifierParams = Type.Object(
  {
    type: Type.Literal('classifier'),
    model: Type.String({ minLength: 1, description: 'Id of the pack text model (`models:`) this check reads.' }),
    threshold: Type.Optional(Type.Number({ description: "Fire at this score instead of the model's own threshold (higher: fewer false positives)." })),
    guards_below: Type.Optional(
      Type.Number({
        description:
          'With unless_guarded: the guards overrule the model only while its score with every word counted stays below this (a post the model reads as a plain threat is not explained away by a stray "headline" or "rat"). Default: always.',
      }),
    ),
    unless_guarded: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description:
          'Phrase sets whose guards overrule the model on their own words: the words of a match that a guard of one of them suppressed (an idiom, a negation, news, a disclosure: "kill you" in "kill you with kindness") do not count for the model; the rest of the thread still does.',
      }),
    ),
    unless_matched: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }), {
        description:
          "Phrase set → signals of its rules that name a harmless context (a safety reminder, a prayer for a safe flight, a donation): the words those rules match do not count for the model, as a guard's do, and only while the model scores below guards_below. For the contexts a bag of words misreads where no harmful rule matched for a guard to suppress.",
      }),
    ),
    scores_unless_matched: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }), {
        description:
          "Phrase set → signals of its rules that frame a post (a friendly sign-off, an apology for typos, an opener): the words those rules match do not count for the `scores` fact that `when:` conditions compare, so a closing \"love you all\" neither lifts nor lowers the bar of the phrase checks that read it.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type ClassifierParams = Static<typeof classifierParams>;

// Memo keys: the posts' texts as the models read them, the thread as written, and as the models
// that skip quoted speech read it (the same object as WORDS' reading when it quotes nothing).
const TEXTS = {};
const WORDS = {};
const UNQUOTED_WORDS = {};
const SLOTS = {};
const UNQUOTED_SLOTS = {};

interface Reading {
  words: WordList;
  features: FeatureList;
  /** Read with its quoted speech blanked (a model with skip_quoted). */
  blanked: boolean;
}

// Checks naming the same model share it; the models of a pack (ctx.built) share one feature table,
// and an evaluation reads the words and looks their features up once for all of them.
function textModel(id: string, ctx: CompileContext): TextModel {
  const { table, models } = ((ctx.built ??= {}).models ??= { table: new FeatureTable(), models: new Map() });
  let model = models.get(id);
  if (!model) {
    const spec: ModelSpec | undefined = ctx.models.get(id);
    if (!spec) throw new Error(`unknown model "${id}" (declare it under models:)`);
    try {
      model = new TextModel(spec, table);
    } catch (error) {
      throw new Error(`models.${id}: ${(error as Error).message}`);
    }
    models.set(id, model);
  }
  return model;
}

const REASONS_SHOWN = 3;
/** Far above the rounding of a sum of a post's weights (~1e-12), far below any weight. */
const CEILING_MARGIN = 1e-6;

export const classifierDetector: DetectorType<ClassifierParams> = {
  type: 'classifier',
  vars: ['model', 'score', 'reasons'],
  compile(params, ctx): CompiledDetector {
    const model = textModel(params.model, ctx);
    const threshold = params.threshold ?? model.threshold;
    const guardedBy = (params.unless_guarded ?? []).map((id) => phraseSet(id, ctx));
    const benign = contextsOf('unless_matched', params.unless_matched, ctx);
    const unscored = contextsOf('scores_unless_matched', params.scores_unless_matched, ctx);
    const scoreKey = {};
    /**
     * The thread's words, their table slots and the features present (shared by the pack's models),
     * and the model's score and ceiling with every word counted: read by detect and by the `scores`
     * fact, one memo look-up the second time.
     */
    const read = (input: DetectionInput): ModelReading => input.memo(model, () => modelReading(model, input));
    return {
      // What the words add to the model's bias, no guard applied and every word counted but those
      // of the framing rules named in scores_unless_matched (a sign-off, "PSA:"): what `when:`
      // conditions compare (a phrase check that stands down when the words read as clearly
      // harmless). Not the score itself: a post of words the model does not know scores its
      // bias, far below any threshold, and that is no evidence of anything.
      score: (input) => {
        const { reading, slotAt, whole } = read(input);
        if (unscored.length === 0) return whole - model.bias;
        return input.memo(scoreKey, () => {
          const framing = contextMatches(unscored, input);
          if (framing.length === 0) return whole - model.bias;
          return model.scoreOf(model.table.presentAt(slotAt, reading.features, occurrencesTouching(reading.features, reading.words, framing))) - model.bias;
        });
      },
      detect(input) {
        const { reading, slotAt, all, whole, ceiling } = read(input);
        // A guard read the words in context (an idiom, a negation, a report); a bag of words
        // cannot. The words of a suppressed match do not count; the rest of the thread does. A
        // model already sure with every word counted (guards_below) is not overruled.
        let present: Present = all;
        // Leaving words out cannot raise the score above every positive weight present: a model
        // that cannot reach its threshold with them all (by a margin far above rounding) needs no
        // guard read (outside explain, whose trace lists the guards' matches).
        if (!input.trace && ceiling < threshold - CEILING_MARGIN) return [];
        if ((guardedBy.length > 0 || benign.length > 0) && !(params.guards_below !== undefined && whole >= params.guards_below)) {
          // A guard's suppressed matches, and the matches of rules that name a harmless context.
          const suppressed = [
            ...guardedBy.flatMap((set) => input.posts.flatMap((p) => resultsOf(set, p.index, input).suppressed.map((m) => ({ ...m, post: p.index })))),
            ...contextMatches(benign, input),
          ];
          if (suppressed.length > 0) {
            present = model.table.presentAt(slotAt, reading.features, occurrencesTouching(reading.features, reading.words, suppressed));
            if (input.trace && whole >= threshold && model.scoreOf(present) < threshold) {
              input.trace({ post: 0, span: [0, 0], rule: `${params.model} (score ${Math.round(whole * 100) / 100})`, outcome: 'suppressed', guard: suppressed[0]!.guard });
            }
          }
        }
        // Most posts score below the threshold: the reasons are only gathered for those that fire.
        const score = present === all ? whole : model.scoreOf(present);
        if (score < threshold) return [];
        // Word features say why to a reviewer; letter pieces (`c:`) only when no word weighs in.
        const wordReasons = model.strongestWords(present, REASONS_SHOWN);
        const shown = wordReasons.length > 0 ? wordReasons : model.strongest(present, REASONS_SHOWN);
        if (shown.length === 0) return [];
        // The span is the heaviest feature's words: where a reviewer looks first.
        const { post: postIndex, first, last } = wordsAt(reading.features, shown[0]!.at);
        const { start, end, first: firstOfPost } = reading.words;
        const span: [number, number] = [start[firstOfPost[postIndex]! + first]!, end[firstOfPost[postIndex]! + last]!];
        const finding: Finding = {
          post: postIndex,
          span,
          match: input.posts[postIndex]!.text.slice(span[0], span[1]),
          vars: { model: params.model, score: Math.round(score * 100) / 100, reasons: shown.map((r) => reasonText(r.name)).join(', ') },
        };
        input.trace?.({ post: postIndex, span, rule: `${params.model} (score ${finding.vars!.score} ≥ ${threshold})`, outcome: 'matched' });
        return [finding];
      },
    };
  },
};

/** The rules of phrase sets named by a detector parameter (`unless_matched`, `scores_unless_matched`) that name a context. */
interface Context {
  set: ReturnType<typeof phraseSet>;
  signals: Set<string>;
}

function contextsOf(param: string, named: Record<string, string[]> | undefined, ctx: CompileContext): Context[] {
  return Object.entries(named ?? {}).map(([id, signals]) => {
    const set = phraseSet(id, ctx);
    const unknown = signals.filter((signal) => !set.signals.includes(signal));
    if (unknown.length > 0) throw new Error(`${param}: no rule of ${id} has the signal(s) ${unknown.join(', ')}`);
    return { set, signals: new Set(signals) };
  });
}

/** The thread's matches of the contexts' rules, each with its post and, as a guard's would, the rule that matched. */
function contextMatches(contexts: readonly Context[], input: DetectionInput): { post: number; from: number; to: number; guard: string }[] {
  return contexts.flatMap(({ set, signals }) =>
    input.posts.flatMap((p) =>
      resultsOf(set, p.index, input)
        .matches.filter((m) => signals.has(m.signal))
        .map((m) => ({ ...m, post: p.index, guard: m.rule })),
    ),
  );
}

interface ModelReading {
  reading: Reading;
  slotAt: Int32Array;
  all: Present;
  /** The model's score, and the highest any part of the words can give (TextModel.ceilingOf). */
  whole: number;
  ceiling: number;
}

function modelReading(model: TextModel, input: DetectionInput): ModelReading {
  // The posts as the models read them (a thread's labels blanked), made once for both readings.
  const texts = (): readonly string[] => input.memo(TEXTS, () => withoutThreadLabels(input.posts.map((p) => p.text)));
  const written = (): Reading => input.memo(WORDS, () => readingOf(texts(), false));
  const reading = model.skipQuoted ? input.memo(UNQUOTED_WORDS, () => unquotedReading(texts(), written)) : written();
  const { slotAt, present: all } = input.memo(reading.blanked ? UNQUOTED_SLOTS : SLOTS, () => model.table.slotsAndPresent(reading.features));
  const { score, ceiling } = model.scoreAndCeilingOf(all);
  return { reading, slotAt, all, whole: score, ceiling };
}

/**
 * The lists a reading fills, one per reading an evaluation makes (as written, quotes blanked):
 * a reading is only read during its evaluation's detection, which runs to its end before the
 * next evaluation's can start (evaluate.ts awaits nothing until every check has detected).
 */
const SCRATCH: Record<'written' | 'blanked', { words: WordScratch; features: FeatureScratch }> = {
  written: { words: {}, features: {} },
  blanked: { words: {}, features: {} },
};

function readingOf(texts: readonly string[], blanked: boolean): Reading {
  const scratch = blanked ? SCRATCH.blanked : SCRATCH.written;
  const words = readWords(texts, scratch.words);
  return { words, features: featuresOf(words, scratch.features), blanked };
}

/** The thread with its quoted speech blanked; the thread as written when it quotes nothing. */
function unquotedReading(texts: readonly string[], written: () => Reading): Reading {
  const blanked = texts.map(unquoted);
  return blanked.every((text, i) => text === texts[i]) ? written() : readingOf(blanked, true);
}

/** A feature as a reviewer reads it: `kill you`, and `kill … you` for the pair with a word between. */
function reasonText(name: string): string {
  return name.startsWith('s:') ? name.slice(2).replace(' ', ' … ') : name.slice(2);
}
