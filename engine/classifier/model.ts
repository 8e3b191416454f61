/**
 * A text model in a pack: a logistic regression over the features of engine/classifier/features.ts,
 * written as data (feature name → weight, a bias and a threshold) by `gatehouse train`, reviewed in a
 * pull request like any rule, and hashed with the pack. It catches phrasings no phrase rule names;
 * the weights it names as evidence say why it fired.
 */
import { Type, type Static } from '@sinclair/typebox';
import { featureHash, featuresOf, type FeatureHit, type Word } from './features.js';

export const MAX_MODEL_FEATURES = 50_000;

export const modelSpec = Type.Object(
  {
    label: Type.String({ minLength: 1, description: 'The corpus label the model was trained to predict (e.g. `violent_threat`).' }),
    bias: Type.Number(),
    threshold: Type.Number({ description: 'The score (bias + weights of the features present) at which the model fires.' }),
    features: Type.Record(Type.String({ minLength: 3, maxLength: 200 }), Type.Number(), {
      description: 'Feature name (`w:word`, `b:two words`, `t:three words words`, `c:<pie`) → weight.',
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
  hit: FeatureHit;
}

export interface ModelScore {
  score: number;
  /** The features present with a positive weight, heaviest first. */
  reasons: Contribution[];
}

export class TextModel {
  private readonly weights = new Map<number, number>();
  private readonly names = new Map<number, string>();
  readonly threshold: number;
  readonly bias: number;

  constructor(spec: ModelSpec) {
    const entries = Object.entries(spec.features);
    if (entries.length > MAX_MODEL_FEATURES) throw new Error(`a model may have at most ${MAX_MODEL_FEATURES} features (has ${entries.length})`);
    for (const [name, weight] of entries) {
      const hash = featureHash(name);
      this.weights.set(hash, (this.weights.get(hash) ?? 0) + weight);
      this.names.set(hash, name);
    }
    this.threshold = spec.threshold;
    this.bias = spec.bias;
  }

  score(words: readonly Word[][]): ModelScore {
    let score = this.bias;
    const reasons: Contribution[] = [];
    for (const hit of featuresOf(words)) {
      const weight = this.weights.get(hit.hash);
      if (weight === undefined) continue;
      score += weight;
      if (weight > 0) reasons.push({ name: this.names.get(hit.hash)!, weight, hit });
    }
    reasons.sort((a, b) => b.weight - a.weight);
    return { score, reasons };
  }
}
