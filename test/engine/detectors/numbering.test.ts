import { describe, it, expect } from 'vitest';
import { numberingDetector, type NumberingParams } from '../../../engine/detectors/numbering.js';
import type { Finding } from '../../../engine/detectors/detector.js';
import { ctx, inputFor } from './inputs.js';

const input = inputFor('numbering');

function detect(texts: string[], extra: Partial<NumberingParams> = {}): Finding[] {
  return numberingDetector.compile({ type: 'numbering', ...extra }, ctx).detect(input(texts));
}

/** [post, found, expected, problem, edit] — enough to see the whole fix at a glance. */
function summary(findings: Finding[]) {
  return findings.map((f) => [f.post, f.vars?.found, f.vars?.expected, f.vars?.problem, f.edit]);
}

const replace = (start: number, end: number, replacement: string) => ({ action: 'replace', span: [start, end], replacement });
const insert = (at: number, replacement: string) => ({ action: 'insert', span: [at, at], replacement });

describe('numbering: threads', () => {
  it.each([
    ['a correct slash thread', ['1/ a', '2/ b', '3/ c'], []],
    ['a correct slash_total thread', ['1/3 a', '2/3 b', '3/3 c'], []],
    ['correct paren, bracket and dot threads', ['(1/2) a', '(2/2) b'], []],
    ['bracket', ['[1/2] a', '[2/2] b'], []],
    ['dot', ['1. a', '2. b'], []],
    ['closing labels', ['a 1/2', 'b 2/2'], []],
    ['no labels at all', ['a', 'b', 'c'], []],
    ['a date in one post is not numbering', ['Event on 5/12', 'More info', 'Done'], []],
    ['a gap', ['1/ a', '2/ b', '4/ c'], [[2, '4/', '3/', 'gap', replace(0, 2, '3/')]]],
    ['a duplicate', ['1/ a', '2/ b', '2/ c'], [[2, '2/', '3/', 'duplicate', replace(0, 2, '3/')]]],
    [
      'out of order',
      ['1/ a', '3/ b', '2/ c'],
      [
        [1, '3/', '2/', 'out_of_order', replace(0, 2, '2/')],
        [2, '2/', '3/', 'out_of_order', replace(0, 2, '3/')],
      ],
    ],
    [
      'a total that does not match the thread (1/5 in a 3-post thread)',
      ['1/5 a', '2/5 b', '3/5 c'],
      [
        [0, '1/5', '1/3', 'wrong_total', replace(0, 3, '1/3')],
        [1, '2/5', '2/3', 'wrong_total', replace(0, 3, '2/3')],
        [2, '3/5', '3/3', 'wrong_total', replace(0, 3, '3/3')],
      ],
    ],
    ['totals that disagree', ['1/3 a', '2/4 b', '3/3 c'], [[1, '2/4', '2/3', 'wrong_total', replace(0, 3, '2/3')]]],
    ['mixed styles', ['1/3 a', '2/3 b', '(3/3) c'], [[2, '(3/3)', '3/3', 'mixed_styles', replace(0, 5, '3/3')]]],
    ['a style tie goes to the first label', ['1/ a', '(2/2) b'], [[1, '(2/2)', '2/', 'mixed_styles', replace(0, 5, '2/')]]],
    [
      'the majority style wins',
      ['(1/4) a', '2/4 b', '(3/4) c', '(4/4) d', '[5/5] e'],
      [
        [0, '(1/4)', '(1/5)', 'wrong_total', replace(0, 5, '(1/5)')],
        [1, '2/4', '(2/5)', 'wrong_total', replace(0, 3, '(2/5)')],
        [2, '(3/4)', '(3/5)', 'wrong_total', replace(0, 5, '(3/5)')],
        [3, '(4/4)', '(4/5)', 'wrong_total', replace(0, 5, '(4/5)')],
        [4, '[5/5]', '(5/5)', 'mixed_styles', replace(0, 5, '(5/5)')],
      ],
    ],
    ['an unnumbered post in a numbered thread', ['1/3 a', 'b', '3/3 c'], [[1, '', '2/3', 'missing', insert(0, '2/3 ')]]],
    [
      'an opener with the rest unnumbered',
      ['1/ a', 'b', 'c'],
      [
        [1, '', '2/', 'missing', insert(0, '2/ ')],
        [2, '', '3/', 'missing', insert(0, '3/ ')],
      ],
    ],
    ['a date does not stand in for a missing label', ['1/3 a', 'Event on 5/12', '3/3 c'], [[1, '', '2/3', 'missing', insert(0, '2/3 ')]]],
    ['a missing closing label goes at the end', ['a 1/3', 'b 2/3', 'c  '], [[2, '', '3/3', 'missing', insert(1, ' 3/3')]]],
    [
      'closing labels out of order',
      ['a (1/3)', 'bb (3/3)', 'c (2/3)'],
      [
        [1, '(3/3)', '(2/3)', 'out_of_order', replace(3, 8, '(2/3)')],
        [2, '(2/3)', '(3/3)', 'out_of_order', replace(2, 7, '(3/3)')],
      ],
    ],
    ['a label after leading spaces', ['  1/ a', '3/ b'], [[1, '3/', '2/', 'gap', replace(0, 2, '2/')]]],
    [
      'numbering from zero',
      ['0/ a', '1/ b'],
      [
        [0, '0/', '1/', 'wrong_number', replace(0, 2, '1/')],
        [1, '1/', '2/', 'wrong_number', replace(0, 2, '2/')],
      ],
    ],
  ])('%s', (_name, texts, expected) => {
    expect(summary(detect(texts))).toEqual(expected);
  });

  it('lists every problem of a label and allows autofix', () => {
    const [finding] = detect(['1/3 a', '2/3 b', '(4/5) c']);
    expect(finding).toEqual({
      post: 2,
      span: [0, 5],
      match: '(4/5)',
      vars: { found: '(4/5)', expected: '3/3', problem: 'gap', problems: 'gap,wrong_total,mixed_styles' },
      edit: replace(0, 5, '3/3'),
      autofix: true,
    });
  });
});

describe('numbering: params', () => {
  it('require_in_threads labels an unnumbered thread in the first listed style (slash_total by default)', () => {
    expect(summary(detect(['a', 'b'], { require_in_threads: true }))).toEqual([
      [0, '', '1/2', 'missing', insert(0, '1/2 ')],
      [1, '', '2/2', 'missing', insert(0, '2/2 ')],
    ]);
    expect(summary(detect(['a', 'b'], { require_in_threads: true, styles: ['paren_total'] }))).toEqual([
      [0, '', '(1/2)', 'missing', insert(0, '(1/2) ')],
      [1, '', '(2/2)', 'missing', insert(0, '(2/2) ')],
    ]);
  });

  it('require_in_threads does not apply to a single post', () => {
    expect(detect(['a'], { require_in_threads: true })).toEqual([]);
  });

  it('styles limits what counts as a label', () => {
    expect(detect(['1. a', '3. b'], { styles: ['slash', 'slash_total'] })).toEqual([]);
    expect(summary(detect(['1. a', '3. b']))).toEqual([[1, '3.', '2.', 'gap', replace(0, 2, '2.')]]);
  });

  it('refuses an unknown style at compile time', () => {
    const bad = { type: 'numbering', styles: ['roman'] } as unknown as NumberingParams;
    expect(() => numberingDetector.compile(bad, ctx)).toThrow(/unknown style "roman"/);
  });
});

describe('numbering: a single post', () => {
  it.each([
    ['no label', 'just a post'],
    ['1/1 is accurate', '1/1 hello'],
    ['(1/1) is accurate', '(1/1) hello'],
    ['a numbered list item', '1. first step'],
    ['open 24/7', 'we are open 24/7'],
    ['a closing fraction', 'it is 1/2'],
  ])('%s: no finding', (_name, text) => {
    expect(detect([text])).toEqual([]);
  });

  it.each([
    ['1/5 promises four more posts', '1/5 hello', '1/5', 'wrong_total', [0, 4]],
    ['[2/3] as well', '[2/3]  hello', '[2/3]', 'wrong_total', [0, 7]],
    ['a lone opener', '1/ hello', '1/', 'single_post', [0, 3]],
  ])('%s: delete suggested, not autofixed', (_name, text, found, problem, span) => {
    expect(detect([text])).toEqual([
      {
        post: 0,
        span: [0, found.length],
        match: found,
        vars: { found, expected: '', problem, problems: problem },
        edit: { action: 'delete', span, note: 'a single post needs no thread label' },
        autofix: false,
      },
    ]);
  });
});
