import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyQuoteMark } from '../../../engine/phrases/quotes.js';

/** The marks the quote tables read (quotes.ts isQuote and isSingleQuote), as the loop it replaced tested them. */
const QUOTE_UNITS = new Set([0x22, 0x201c, 0x201d, 0xab, 0xbb, 0x27, 0x2018, 0x2019]);
const byLoop = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) if (QUOTE_UNITS.has(text.charCodeAt(i))) return true;
  return false;
};

describe('anyQuoteMark', () => {
  it('accepts exactly the quote marks, for every UTF-16 code unit', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const unit = String.fromCharCode(c);
      expect(anyQuoteMark(`ab${unit}cd`), `U+${c.toString(16)}`).toBe(QUOTE_UNITS.has(c));
    }
  });

  it('answers as a loop over the code units does', () => {
    const unit = fc.oneof(fc.constantFrom(...[...QUOTE_UNITS].map((c) => String.fromCharCode(c))), fc.string({ unit: 'binary', maxLength: 3 }));
    fc.assert(fc.property(fc.array(unit, { maxLength: 20 }), (parts) => anyQuoteMark(parts.join('')) === byLoop(parts.join(''))));
  });
});
