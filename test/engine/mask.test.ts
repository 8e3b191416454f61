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

/** The code-point mask for every text, as it was before the ASCII fast path. */
function reference(text: string): string {
  const chars = Array.from(text);
  const last = chars.length - 1;
  if (chars.length <= 2) return '*'.repeat(chars.length);
  let out = chars[0]!;
  for (let i = 1; i < last; i++) out += chars[i] === ' ' || /[\s.\-_]/u.test(chars[i]!) ? chars[i] : '*';
  return out + chars[last]!;
}

describe('mask on ASCII texts (its fast path)', () => {
  const ascii = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));

  it('keeps or masks each ASCII char inside a word as the code-point mask does', () => {
    for (const c of ascii) expect(mask(`a${c}b`), JSON.stringify(c)).toBe(reference(`a${c}b`));
  });

  it('gives the code-point mask on random texts, ASCII and not', () => {
    let seed = 7;
    const next = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const alphabet = [...ascii, ' ', ' ', '.', '-', '_', '\n', 'x', 'y', 'é', '\u00a0', '😀', '\ud800'];
    for (let round = 0; round < 5_000; round++) {
      const text = Array.from({ length: next(24) }, () => alphabet[next(alphabet.length)]).join('');
      expect(mask(text), JSON.stringify(text)).toBe(reference(text));
    }
  });
});
