/**
 * A text model in a pack: a logistic regression over the features of engine/classifier/features.ts,
 * written as data (feature name → weight, a bias and a threshold) by `gatehouse train`, reviewed in a
 * pull request like any rule, and hashed with the pack. It catches phrasings no phrase rule names;
 * the weights it names as evidence say why it fired.
 */
import { Type, type Static } from '@sinclair/typebox';
import { distinctFeatures } from './distinct.js';
import { featuresOf, type FeatureList, type Word } from './features.js';
import { FeatureTable, type Present } from './feature-table.js';

export const MAX_MODEL_FEATURES = 50_000;

export const modelSpec = Type.Object(
  {
    label: Type.String({ minLength: 1, description: 'The corpus label the model was trained to predict (e.g. `violent_threat`).' }),
    bias: Type.Number(),
    threshold: Type.Number({ description: 'The score (bias + weights of the features present, scaled as `normalize` says) at which the model fires.' }),
    normalize: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          'A text of n different features, n above this, has the weights of its features multiplied by sqrt(normalize / n): a long post does not add up many small weights into a finding. Shorter texts are not scaled (raised, their few words would weigh double). Absent: no text is scaled.',
      }),
    ),
    skip_quoted: Type.Optional(
      Type.Boolean({
        description:
          'Words inside quotation marks do not count where the author writes at least four words of their own around them: a warning that quotes a scam, a victim who quotes a threat (engine/classifier/quoted-speech.ts). Training reads the posts the same way.',
      }),
    ),
    features: Type.Record(Type.String({ minLength: 3, maxLength: 200 }), Type.Number(), {
      description: 'Feature name (`w:word`, `b:two words`, `t:three words words`, `s:first third` of three words, `c:<pie`) → weight.',
    }),
    trained: Type.Optional(
      Type.Object(
        {
          corpus: Type.String(),
          items: Type.Integer(),
          positives: Type.Integer(),
          epochs: Type.Integer(),
          seed: Type.Integer(),
          target_fp: Type.Number({ description: 'False-positive rate the threshold was chosen for, by cross-validation on the corpus.' }),
          nb_scale: Type.Optional(Type.Number({ description: "How far each feature's input was scaled by its naive-Bayes log-count ratio (`gatehouse train --nb-scale`); absent: plain logistic regression." })),
          tag: Type.Optional(Type.String({ description: 'A tag appended to a seeded half of the training posts (`gatehouse train --tag`), so that it weighs nothing.' })),
          tails: Type.Optional(Type.String({ description: 'A file of label-neutral sentences ("Link in bio.") appended to a seeded share of the training posts (`gatehouse train --tails`), so that they weigh nothing.' })),
          tails_share: Type.Optional(Type.Number({ description: 'The share of training posts given a tail.' })),
          cv_recall: Type.Number(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ModelSpec = Static<typeof modelSpec>;

/** The model file: the spec, plus an optional `$schema` for editors. */
export const modelFile = Type.Object({ $schema: Type.Optional(Type.String()), ...modelSpec.properties }, { additionalProperties: false });

export interface Contribution {
  name: string;
  weight: number;
  /** Index of the occurrence in the evaluation's FeatureList. */
  at: number;
}

export interface ModelScore {
  score: number;
  /** The features present with a positive weight, heaviest first. */
  reasons: Contribution[];
}

/**
 * What a model with `normalize` (ModelSpec) multiplies its weights' sum by for a text of
 * `distinct` different features: training (engine/tooling/train.ts) and scoring share it.
 */
export function normalizedScale(normalize: number | undefined, distinct: number): number {
  return normalize === undefined || distinct <= normalize ? 1 : Math.sqrt(normalize / distinct);
}

const ALL_SLOTS = (): boolean => true;
const ALL_NAMES = (): boolean => true;

export class TextModel {
  /** The model's place among its table's models (`FeatureTable.weights`). */
  private readonly place: number;
  readonly threshold: number;
  readonly bias: number;

  constructor(
    spec: ModelSpec,
    readonly table: FeatureTable = new FeatureTable(),
  ) {
    const { features } = spec;
    let count = 0;
    for (const _name in features) count++;
    if (count > MAX_MODEL_FEATURES) throw new Error(`a model may have at most ${MAX_MODEL_FEATURES} features (has ${count})`);
    // The slots first (the table grows), then the weights in the file's order: no pair per feature.
    const slots = new Int32Array(count);
    let k = 0;
    for (const name in features) slots[k++] = table.slotOf(name);
    const weight = new Float64Array(count);
    k = 0;
    for (const name in features) weight[k++] = features[name]!;
    this.place = table.addModel(slots, weight);
    this.threshold = spec.threshold;
    this.bias = spec.bias;
    this.normalize = spec.normalize;
    this.skipQuoted = spec.skip_quoted === true;
  }

  /** Whether the model reads a post with its quoted speech blanked (ModelSpec.skip_quoted). */
  readonly skipQuoted: boolean;

  private readonly normalize: number | undefined;

  /** What the weights' sum is multiplied by for a text with these feature occurrences. */
  scale(features: FeatureList): number {
    // A text of at most `normalize` occurrences cannot have more different features: no count needed.
    if (this.normalize === undefined || features.length <= this.normalize) return 1;
    return normalizedScale(this.normalize, distinctFeatures(features));
  }

  /** The score of the slots present (FeatureTable.present). */
  scoreOf(present: Pick<Present, 'slots' | 'features'>): number {
    // Every slot present is in the table, so has a weight (0 for a feature this model does not
    // name: adding it leaves the sum as it was).
    const { weights, models } = this.table;
    const place = this.place;
    let sum = 0;
    for (const slot of present.slots) sum += weights[slot * models + place]!;
    return this.bias + this.scale(present.features) * sum;
  }

  /**
   * `scoreOf` and `ceilingOf` in one pass over the slots present (each sum added in the same order
   * as theirs, so each result is theirs to the bit): what every evaluation asks of every model.
   */
  scoreAndCeilingOf(present: Pick<Present, 'slots' | 'features'>): { score: number; ceiling: number } {
    const { weights, models } = this.table;
    const place = this.place;
    let sum = 0;
    let positive = 0;
    for (const slot of present.slots) {
      const weight = weights[slot * models + place]!;
      sum += weight;
      if (weight > 0) positive += weight;
    }
    const scale = this.scale(present.features);
    return { score: this.bias + scale * sum, ceiling: this.bias + scale * positive };
  }

  /**
   * The highest score any part of the slots present can give, the same scale applied (a guard
   * leaves some words out; the scale counts the whole text): the bias and the positive weights.
   */
  ceilingOf(present: Pick<Present, 'slots' | 'features'>): number {
    return this.scoreAndCeilingOf(present).ceiling;
  }

  /** The score of the slots present (FeatureTable.present), with the features that raised it. */
  scorePresent(present: Present): ModelScore {
    const scale = this.scale(present.features);
    const { weights, models } = this.table;
    let sum = 0;
    const reasons: Contribution[] = [];
    for (let i = 0; i < present.slots.length; i++) {
      const slot = present.slots[i]!;
      const weight = weights[slot * models + this.place]! * scale;
      if (weight === 0) continue;
      sum += weight;
      if (weight > 0) reasons.push({ name: this.table.nameOf(slot), weight, at: present.at[i]! });
    }
    reasons.sort((a, b) => b.weight - a.weight);
    return { score: this.bias + sum, reasons };
  }

  /**
   * The `count` heaviest features present with a positive weight that `keep` accepts, heaviest
   * first, ties in order of presence: what `scorePresent(present).reasons` starts with, without
   * an object per feature and a sort of them all (a firing model has ~100 such features).
   */
  strongest(present: Present, count: number, keep: (name: string) => boolean = ALL_NAMES): Contribution[] {
    return this.heaviest(present, count, ALL_SLOTS, keep);
  }

  /**
   * `strongest` of the word features alone (`w:`, `b:`, `t:`, `s:`; no letter piece `c:`): the
   * reasons a reviewer reads first. A letter piece is passed over by its slot, without making its
   * name (on the bench's post with violations 28 of the 31 names made were letter pieces).
   */
  strongestWords(present: Present, count: number): Contribution[] {
    return this.heaviest(present, count, (slot) => !this.table.isLetterPiece(slot), ALL_NAMES);
  }

  private heaviest(present: Present, count: number, keepSlot: (slot: number) => boolean, keep: (name: string) => boolean): Contribution[] {
    const scale = this.scale(present.features);
    const { weights, models } = this.table;
    // With no test of the names, only the features kept at the end are named (a firing model
    // passes through ~10 candidates on its way to the heaviest three).
    const named = keep !== ALL_NAMES;
    const top: Contribution[] = [];
    const slots: number[] = [];
    for (let i = 0; i < present.slots.length; i++) {
      const slot = present.slots[i]!;
      const weight = weights[slot * models + this.place]! * scale;
      if (!(weight > 0) || (top.length === count && weight <= top[count - 1]!.weight) || !keepSlot(slot)) continue;
      const name = named ? this.table.nameOf(slot) : '';
      if (named && !keep(name)) continue;
      // After every kept feature at least as heavy, so that ties keep their order of presence.
      let j = top.length;
      while (j > 0 && top[j - 1]!.weight < weight) j--;
      top.splice(j, 0, { name, weight, at: present.at[i]! });
      slots.splice(j, 0, slot);
      if (top.length > count) {
        top.pop();
        slots.pop();
      }
    }
    if (!named) for (let k = 0; k < top.length; k++) top[k]!.name = this.table.nameOf(slots[k]!);
    return top;
  }

  score(words: readonly Word[][]): ModelScore {
    return this.scorePresent(this.table.present(featuresOf(words)));
  }
}
