import { describe, expect, it } from 'vitest';
import type { DetectionInput } from '../../../engine/detectors/detector.js';
import { compileSafePattern, patternDetector, type PatternParams } from '../../../engine/detectors/pattern.js';
import { ctx, inputFor } from './inputs.js';

/** An evaluation's input: one memo shared by every check, as `evaluate` gives it (the tests' default memo caches nothing). */
function evaluationInput(texts: string[]): DetectionInput {
  const memos = new Map<object, unknown>();
  return {
    ...inputFor('pattern')(texts),
    memo: <T>(key: object, compute: () => T): T => {
      if (!memos.has(key)) memos.set(key, compute());
      return memos.get(key) as T;
    },
  };
}

describe('one scan state per evaluation: each set and post keeps its own answers', () => {
  // Long patterns fill a set each (over 1,000 instructions), so the checks spread over several sets.
  const long = ['alpha.{0,600}omega', 'gamma.{0,600}delta', 'kappa.{0,600}sigma'];
  const specs: Omit<PatternParams, 'type'>[] = [
    { patterns: [long[0]!, 'beta\\d'], flags: 's' },
    { patterns: ['use my code \\w+', long[1]!], flags: 'is' },
    { patterns: [long[2]!, '\\d{3}-\\d{4}'], flags: 's' },
    { patterns: ['SALE', 'beta'], flags: '' },
  ];
  const posts = [
    'alpha x omega beta7 and nothing else',
    'Use my code SAVE gamma\ny delta 555-1234',
    'kappa z sigma SALE beta',
    'nothing here at all',
    'beta2 alpha omega use my code X',
  ];

  it('every check finds, in one evaluation with the others, what it finds alone', () => {
    for (const source of long) expect(compileSafePattern(source, 's').programSize()).toBeGreaterThan(1000);
    const pack = { ...ctx };
    const detectors = specs.map((spec) => patternDetector.compile({ type: 'pattern', ...spec }, pack));
    const alone = specs.map((spec) => patternDetector.compile({ type: 'pattern', ...spec }, { ...ctx }).detect(inputFor('pattern')(posts)));
    expect(alone.every((findings) => findings.length > 0)).toBe(true);
    const input = evaluationInput(posts);
    // Twice, in both orders: answers kept in the state are read back by the checks that share them.
    for (const order of [[0, 1, 2, 3], [3, 2, 1, 0]]) for (const i of order) expect(detectors[i]!.detect(input)).toEqual(alone[i]);
  });
});
