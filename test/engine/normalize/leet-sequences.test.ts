/**
 * Multi-symbol leetspeak (engine/normalize/leet-sequences.ts): each sequence becomes one letter
 * whose span is the sequence as written, only when written against a letter.
 */
import { describe, expect, it } from 'vitest';
import { normalizeForMatching } from '../../../engine/normalize.js';

describe('multi-symbol leetspeak', () => {
  it.each([
    ['|3!tch', 'bitch'],
    ['|<ill', 'kil'],
    ['f|_|ck', 'fuck'],
    ['f(_)ck', 'fuck'],
    ['|=uck', 'fuck'],
    ['c()ck', 'cock'],
    ['\\/\\/ank', 'wank'],
    ['|)ick', 'dick'],
    ['|\\|azi', 'nazi'],
  ])('%s → %s', (input, text) => {
    const n = normalizeForMatching(input);
    expect(n.text).toBe(text);
    expect(input.slice(n.start[0], n.end[n.text.length - 1])).toBe(input); // the span covers the symbols
  });

  it('keeps the span of each sequence on its letter', () => {
    const n = normalizeForMatching('x |3!tch');
    expect([n.start[2], n.end[2]]).toEqual([2, 4]);
    expect(n.text).toBe('x bitch');
  });

  it('leaves code, emoticons and sequences away from letters alone', () => {
    expect(normalizeForMatching('print() and f(x), (_) and |3 and 1/2').text).toBe('print and f x and and');
    expect(normalizeForMatching('a|b, a/b, and/or').text).toBe('a b a b and or');
  });
});
