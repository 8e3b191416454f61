import { describe, expect, it } from 'vitest';
import { mask } from '../../engine/mask.js';

describe('mask', () => {
  it.each([
    ['fuck', 'f**k'],
    ['ab', '**'],
    ['a', '*'],
    ['', ''],
    ['abc', 'a*c'],
    ['link in bio', 'l*** ** **o'],
    ['f.u-c_k', 'f.*-*_k'],
    ['guaranteed\u00a0returns', 'g*********\u00a0******s'],
    // Code points, not UTF-16 units: an emoji is one character, masked or kept whole.
    ['😀bc😀', '😀**😀'],
    ['a😀😀b', 'a**b'],
    ['😀😀', '**'],
    ['e\u0301te', 'e**e'],
  ])('%j → %j', (text, masked) => {
    expect(mask(text)).toBe(masked);
  });
});
