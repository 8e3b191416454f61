import { describe, expect, it } from 'vitest';
import { threadLabelSpans } from '../../../engine/detectors/numbering-labels.js';

describe('threadLabelSpans', () => {
  it('gives the opening and the closing label as the numbering check reads them', () => {
    expect(threadLabelSpans('1/3 hello')).toEqual([[0, 3]]);
    expect(threadLabelSpans('  (2/3) hello')).toEqual([[2, 7]]);
    expect(threadLabelSpans('hello 3/3  ')).toEqual([[6, 9]]);
    expect(threadLabelSpans('[1/2] hello 1/2')).toEqual([[0, 5], [12, 15]]);
  });

  it('gives no span for what is no label', () => {
    for (const text of ['open 24/7', '1/2cup of flour', 'pi is 3.14', 'score 5/3']) expect(threadLabelSpans(text), text).toEqual([]);
    // A post that is its label alone has one label, not two.
    expect(threadLabelSpans('2/3')).toEqual([[0, 3]]);
  });
});
