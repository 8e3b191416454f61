import { describe, it, expect } from 'vitest';
import { lineLengthDetector, type LineLengthParams } from '../../../engine/detectors/line-length.js';
import type { Finding } from '../../../engine/detectors/detector.js';
import { ctx, inputFor } from './inputs.js';

const input = inputFor('line_length');

function detect(texts: string[], params: Omit<LineLengthParams, 'type'>): Finding[] {
  return lineLengthDetector.compile({ type: 'line_length', ...params }, ctx).detect(input(texts));
}

const FAMILY = '👨‍👩‍👧‍👦';

describe('line_length', () => {
  it.each([
    ['short lines', ['abc\ndef'], 5, []],
    ['a line exactly at max', ['abcde\nx'], 5, []],
    ['the second line too long', ['ab\nabcdefg\nx'], 5, [[0, [3, 10], 2, 7, 2]]],
    ['CRLF: the span stops before CR', ['abcdefg\r\nx'], 5, [[0, [0, 7], 1, 7, 2]]],
    ['a last line without newline', ['x\nabcdef'], 5, [[0, [2, 8], 2, 6, 1]]],
    ['findings name their post', ['ok', 'abcdef'], 5, [[1, [0, 6], 1, 6, 1]]],
    ['family emoji are one grapheme each', [FAMILY.repeat(5)], 5, []],
    ['six family emoji exceed five graphemes', [FAMILY.repeat(6)], 5, [[0, [0, 66], 1, 6, 1]]],
  ])('%s', (_name, texts, max, expected) => {
    const findings = detect(texts, { max });
    expect(findings.map((f) => [f.post, f.span, f.vars?.line, f.vars?.length, f.vars?.excess])).toEqual(expected);
  });

  it('counts code points with counting: chars', () => {
    expect(detect([FAMILY], { max: 5, counting: 'chars' }).map((f) => f.vars)).toEqual([
      { line: 1, length: 7, max: 5, excess: 2 },
    ]);
  });

  it('suggests shortening the line', () => {
    expect(detect(['abcdefg'], { max: 5 })[0]?.edit).toEqual({
      action: 'shorten',
      span: [0, 7],
      by: 2,
      note: 'shorten the line or break it',
    });
  });

  it('refuses a non-positive max', () => {
    expect(() => lineLengthDetector.compile({ type: 'line_length', max: 0 }, ctx)).toThrow(/max must be a positive integer/);
  });
});
