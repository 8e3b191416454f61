import { describe, expect, it } from 'vitest';
import { parsePattern } from '../../../engine/phrases/pattern.js';

describe('parsePattern', () => {
  it('reads words, alternatives, slots, groups, optionals, gaps and wildcards', () => {
    expect(parsePattern("i (will|am going to) ..2 {kill} [the] $TARGET _")).toBeDefined();
    expect(parsePattern('a/b [c|d e] ..3 _ $X')).toEqual({
      kind: 'seq',
      items: [
        { kind: 'word', words: ['a', 'b'], inflect: false },
        {
          kind: 'opt',
          node: { kind: 'alt', options: [{ kind: 'word', words: ['c'], inflect: false }, { kind: 'seq', items: [{ kind: 'word', words: ['d'], inflect: false }, { kind: 'word', words: ['e'], inflect: false }] }] },
        },
        { kind: 'gap', max: 3 },
        { kind: 'any' },
        { kind: 'slot', name: 'X' },
      ],
    });
  });

  it.each([
    ['(a|b', 'missing ")"'],
    ['a)', 'unbalanced ")"'],
    ['a ..0 b', 'must be ..1 to ..8'],
    ['a ..9 b', 'must be ..1 to ..8'],
    ['(a||b)', 'empty alternative'],
    ['{a/b}', 'one word in braces'],
    ['a//b', 'empty alternative around "/"'],
    ['$1x', 'bad slot name'],
  ])('refuses %j with a located message', (source, message) => {
    expect(() => parsePattern(source)).toThrow(message);
  });
});
