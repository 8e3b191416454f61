import { describe, expect, it } from 'vitest';
import { MIN_OWN_WORDS, unquoted } from '../../../engine/classifier/quoted-speech.js';

describe('unquoted', () => {
  it('blanks double, curly, guillemet and single-quoted speech, keeping every offset', () => {
    const text = `Got a DM: "verify your account now" and “send the code” then 'click here' lol`;
    const out = unquoted(text);
    expect(out).toHaveLength(text.length);
    expect(out).not.toMatch(/verify|send|click/);
    expect(out.indexOf('lol')).toBe(text.indexOf('lol'));
    expect(unquoted('they wrote «tu vas mourir» under my photo, reported')).not.toMatch(/mourir/);
  });

  it("leaves apostrophes alone: don't, rock'n'roll and the kids' toys are words, not quotes", () => {
    const text = "don't touch the kids' toys, it's rock'n'roll";
    expect(unquoted(text)).toBe(text);
  });

  it(`leaves a post that is mostly the quote as written (fewer than ${MIN_OWN_WORDS} words of the author's own)`, () => {
    expect(unquoted('"kys" lol')).toBe('"kys" lol');
    expect(unquoted('"you are dead" see you soon')).toBe('"you are dead" see you soon');
    expect(unquoted('"you are dead" is what he sent me')).toBe('               is what he sent me');
  });

  it('returns the very string when there is nothing to blank', () => {
    const text = 'an ordinary post about lunch';
    expect(unquoted(text)).toBe(text);
  });
});
