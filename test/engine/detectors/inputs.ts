// What the detector tests compile and run against: no lexicons, one post per text, platform x.
import type { CompileContext, DetectionInput } from '../../../engine/detectors/detector.js';

export const ctx: CompileContext = { lexicons: new Map(), phrases: new Map(), defaults: { platform: 'x' } };

export interface InputOptions {
  /** @defaultValue 'x' */
  platform?: string;
  /** @defaultValue {} */
  metadata?: Record<string, unknown>;
}

/**
 * The inputs of a detector that must not need the normalised view: `input(texts)` makes one
 * post per text, and asking it for the normalised view throws, naming `detector`.
 */
export function inputFor(detector: string): (texts: string[], options?: InputOptions) => DetectionInput {
  return (texts, options = {}) => ({
    posts: texts.map((text, index) => ({ index, text, offset: 0 })),
    platform: options.platform ?? 'x',
    metadata: options.metadata ?? {},
    normalized: () => {
      throw new Error(`${detector} must not need the normalised view`);
    },
    tokens: () => {
      throw new Error(`${detector} must not need the phrase tokens`);
    },
    memo: (_key, compute) => compute(),
  });
}
