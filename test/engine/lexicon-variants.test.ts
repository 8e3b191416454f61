/**
 * Spelling variants generated per term at compile time (engine/lexicon-variants.ts): splits
 * across a space and phonetic respellings.
 */
import { describe, expect, it } from 'vitest';
import { phoneticVariants, spacedSplits } from '../../engine/lexicon-variants.js';

describe('spacedSplits', () => {
  it('splits a short word with two letters on one side', () => {
    expect(spacedSplits('fuck')).toEqual([['fu', 'ck']]);
    expect(spacedSplits('bitch', 'fr')).toEqual([
      ['bi', 'tch'],
      ['bit', 'ch'],
    ]);
  });

  it('in English, also splits a consonant-final stem inside itself before -ing and -ed', () => {
    expect(spacedSplits('fuck', 'en')).toEqual([
      ['fu', 'ck'],
      ['fuc', 'king'],
      ['fuc', 'ked'],
    ]);
  });

  it('splits no plural, -e word or vowel-final noun so, nor a long word', () => {
    for (const word of ['cunts', 'rape', 'porno', 'busty', 'bastard']) {
      expect(spacedSplits(word, 'en').filter(([, right]) => /(ing|ed)$/.test(right) && right.length > 3)).toEqual([]);
    }
  });
});

describe('spacedSplits: a first letter spaced off', () => {
  it('splits the first letter off a word of six letters or more (`f ucker`), never off a shorter one', () => {
    expect(spacedSplits('fucker', 'en')).toContainEqual(['f', 'ucker']);
    expect(spacedSplits('fucking', 'fr')).toContainEqual(['f', 'ucking']);
    for (const word of ['bitch', 'shit', 'fuck']) expect(spacedSplits(word, 'en').filter(([left]) => left.length === 1)).toEqual([]);
  });
});

describe('phoneticVariants', () => {
  it('respells every f as ph, not only the first (`motherphucker`)', () => {
    expect(phoneticVariants('motherfucker', 'en')).toContain('motherphucker');
    expect(phoneticVariants('fuck', 'en')).toContain('phuck');
  });

  it('respells u as aw before ck/k (`fawk`) and -ead as -ed (`dikhed`), in English only', () => {
    expect(phoneticVariants('fuck', 'en')).toContain('fawk');
    expect(phoneticVariants('dickhead', 'en')).toEqual(expect.arrayContaining(['dickhed', 'dikhed']));
    expect(phoneticVariants('fuck', 'fr')).not.toContain('fawk');
    expect(phoneticVariants('beaner', 'en')).not.toContain('bener');
  });
});
