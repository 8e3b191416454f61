import { describe, it, expect } from 'vitest';
import { policyTagsDetector, type PolicyTagsParams } from '../../../engine/detectors/policy-tags.js';
import type { Finding } from '../../../engine/detectors/detector.js';
import { ctx, inputFor } from './inputs.js';

const input = inputFor('policy_tags');

function detect(params: Omit<PolicyTagsParams, 'type'>, texts: string[], metadata?: Record<string, unknown>): Finding[] {
  return policyTagsDetector.compile({ type: 'policy_tags', ...params }, ctx).detect(input(texts, { metadata }));
}

const missingTags = (findings: Finding[]) => findings.map((f) => [f.post, f.vars?.tag]);

describe('policy_tags', () => {
  it.each([
    ['present', ['Great deal #ad'], []],
    ['any case', ['Great deal #AD'], []],
    ['followed by punctuation', ['Great deal (#ad).'], []],
    ['#advice does not satisfy #ad', ['Some #advice'], [[0, '#ad']]],
    ['#ad_free does not satisfy #ad', ['Now #ad_free'], [[0, '#ad']]],
    ['word#ad is not a tag', ['bad#ad'], [[0, '#ad']]],
    ['absent', ['Great deal'], [[0, '#ad']]],
    ['anywhere in the thread', ['1/ deal', '2/ #ad'], []],
    ['missing in a thread: reported on the last post', ['1/ deal', '2/ more'], [[1, '#ad']]],
  ])('%s', (_name, texts, expected) => {
    expect(missingTags(detect({ required: ['#ad'] }, texts))).toEqual(expected);
  });

  it('appends the missing tag to the last post', () => {
    expect(detect({ required: ['AI'] }, ['a', 'b'])).toEqual([
      { post: 1, vars: { tag: '#AI' }, edit: { action: 'append', replacement: ' #AI' } },
    ]);
  });

  it('adds the tags the caller passes in metadata (default key required_tags)', () => {
    const findings = detect({ required: ['#ad'] }, ['deal #ad'], { required_tags: ['#AI', 42, null, '#ad', 'sponsored'] });
    expect(missingTags(findings)).toEqual([
      [0, '#AI'],
      [0, '#sponsored'],
    ]);
  });

  it('reads another metadata key, and ignores a non-array value', () => {
    expect(missingTags(detect({ from_metadata: 'tags' }, ['x'], { tags: ['#AI'] }))).toEqual([[0, '#AI']]);
    expect(detect({ from_metadata: 'tags' }, ['x'], { tags: { '#AI': true } })).toEqual([]);
    expect(detect({}, ['x'], { required_tags: 7 })).toEqual([]);
  });

  it('scope post requires the tag in every post', () => {
    expect(missingTags(detect({ required: ['#AI'], scope: 'post' }, ['a #ai', 'b', 'c #AI']))).toEqual([[1, '#AI']]);
  });

  it('deduplicates tags case-insensitively', () => {
    expect(missingTags(detect({ required: ['#AI', 'ai'] }, ['x'], { required_tags: ['#Ai'] }))).toEqual([[0, '#AI']]);
  });

  it('an empty thread has nothing to report', () => {
    expect(detect({ required: ['#ad'] }, [])).toEqual([]);
  });
});
