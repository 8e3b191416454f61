import { Type, type Static } from '@sinclair/typebox';
import { wordsOf, type Word } from '../classifier/features.js';
import { TextModel, type ModelSpec } from '../classifier/model.js';
import type { CompiledDetector, CompileContext, DetectorType, Finding } from './detector.js';
import { phraseSet, resultsOf } from './phrase.js';

export const classifierParams = Type.Object(
  {
    type: Type.Literal('classifier'),
    model: Type.String({ minLength: 1, description: 'Id of the pack text model (`models:`) this check reads.' }),
    threshold: Type.Optional(Type.Number({ description: "Fire at this score instead of the model's own threshold (higher: fewer false positives)." })),
    unless_guarded: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description:
          'Phrase sets whose guards overrule the model: when a guard of one of them suppressed a match anywhere in the thread (an idiom, a negation, news, a disclosure), the model stays silent.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ClassifierParams = Static<typeof classifierParams>;

// Checks naming the same model share it, and every model of an evaluation shares one reading of the words.
const packCache = new WeakMap<object, Map<string, TextModel>>();
const WORDS = {};

function textModel(id: string, ctx: CompileContext): TextModel {
  let models = packCache.get(ctx.models);
  if (!models) packCache.set(ctx.models, (models = new Map()));
  let model = models.get(id);
  if (!model) {
    const spec: ModelSpec | undefined = ctx.models.get(id);
    if (!spec) throw new Error(`unknown model "${id}" (declare it under models:)`);
    try {
      model = new TextModel(spec);
    } catch (error) {
      throw new Error(`models.${id}: ${(error as Error).message}`);
    }
    models.set(id, model);
  }
  return model;
}

const REASONS_SHOWN = 3;

export const classifierDetector: DetectorType<ClassifierParams> = {
  type: 'classifier',
  vars: ['model', 'score', 'reasons'],
  compile(params, ctx): CompiledDetector {
    const model = textModel(params.model, ctx);
    const threshold = params.threshold ?? model.threshold;
    const guardedBy = (params.unless_guarded ?? []).map((id) => phraseSet(id, ctx));
    return {
      detect(input) {
        const words = input.memo(WORDS, (): Word[][] => wordsOf(input.posts.map((p) => p.text)));
        const { score, reasons } = model.score(words);
        if (score < threshold || reasons.length === 0) return [];
        // A guard read the words in context (an idiom, a negation, a report); a bag of words cannot.
        const guard = guardedBy.flatMap((set) => input.posts.flatMap((p) => resultsOf(set, p.index, input).suppressed))[0];
        if (guard) {
          input.trace?.({ post: 0, span: [0, 0], rule: `${params.model} (score ${Math.round(score * 100) / 100})`, outcome: 'suppressed', guard: guard.guard });
          return [];
        }
        // Word features say why to a reviewer; letter pieces (`c:`) only when no word weighs in.
        const wordReasons = reasons.filter((r) => !r.name.startsWith('c:'));
        const shown = wordReasons.length > 0 ? wordReasons : reasons;
        // The span is the heaviest feature's words: where a reviewer looks first.
        const top = shown[0]!.hit;
        const post = words[top.post]!;
        const span: [number, number] = [post[top.first]!.span[0], post[top.last]!.span[1]];
        const finding: Finding = {
          post: top.post,
          span,
          match: input.posts[top.post]!.text.slice(span[0], span[1]),
          vars: { model: params.model, score: Math.round(score * 100) / 100, reasons: shown.slice(0, REASONS_SHOWN).map((r) => r.name.slice(2)).join(', ') },
        };
        input.trace?.({ post: top.post, span, rule: `${params.model} (score ${finding.vars!.score} ≥ ${threshold})`, outcome: 'matched' });
        return [finding];
      },
    };
  },
};
