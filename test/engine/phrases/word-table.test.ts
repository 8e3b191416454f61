import { describe, expect, it } from 'vitest';
import { normalizeForMatching } from '../../../engine/normalize.js';
import { tokenize } from '../../../engine/phrases/tokens.js';
import { expandPhrase, Vocabulary } from '../../../engine/phrases/vocabulary.js';
import { WordTable, type TableWord } from '../../../engine/phrases/word-table.js';

const word = (id: number, runs: number[]): TableWord => ({ id, alone: [id], runs: Uint16Array.from(runs) });

describe('WordTable', () => {
  // Forms of one to three letters, some sharing a hash bucket in a 16-slot table: every form is
  // found by its span of a longer text, and every span that is no form answers -1, as a Map would.
  const forms = new Map<string, TableWord[]>();
  const letters = 'abcdefgh';
  let id = 0;
  for (const a of letters) for (const b of ['', ...letters]) if ((a + b).length < 3 || a < b) forms.set(a + b, [word(id++, [1, 1].slice(0, (a + b).length))]);
  const table = new WordTable(forms);

  it('finds a form by its span of a text, and nothing else', () => {
    const text = ` ${[...forms.keys()].join(' ')} zz ab- hh bah `;
    for (let from = 0; from < text.length; from++) {
      for (let to = from; to <= Math.min(text.length, from + 4); to++) {
        const k = table.formOf(text, from, to);
        const expected = [...forms.keys()].indexOf(text.slice(from, to));
        expect(k, JSON.stringify(text.slice(from, to))).toBe(expected);
      }
    }
  });

  it('gives a form its words in the order they were added, each covering only spellings with enough of each letter', () => {
    const kil = new WordTable(new Map([['kil', [word(7, [1, 1, 2]), word(9, [1, 1, 1])]]]));
    const k = kil.formOf('kil', 0, 3);
    expect([kil.ids[kil.wordAt[k]!], kil.ids[kil.wordAt[k]! + 1]]).toEqual([7, 9]);
    expect(kil.covers(Uint16Array.from([1, 1, 3]), 0, kil.wordAt[k]!)).toBe(true);
    expect(kil.covers(Uint16Array.from([1, 1, 1]), 0, kil.wordAt[k]!)).toBe(false);
    expect(kil.covers(Uint16Array.from([1, 1, 1]), 0, kil.wordAt[k]! + 1)).toBe(true);
  });
});

describe('Vocabulary.lookup', () => {
  it('answers a token with the ids of the words it spells, one shared list for a single word', () => {
    const vocab = new Vocabulary();
    const [[kill]] = expandPhrase(vocab, 'kill') as [[number]];
    const [[kil]] = expandPhrase(vocab, 'kil') as [[number]];
    const [[you]] = expandPhrase(vocab, 'you') as [[number]];
    const text = 'kill killll kil you yoo';
    const n = normalizeForMatching(text);
    const ids = vocab.idsOf(n, tokenize(n, text));
    expect(ids).toEqual([[kill, kil], [kill, kil], [kil], [you], null]);
    expect(ids[3]).toBe(vocab.idsOf(n, tokenize(n, text))[3]); // the shared `[id]`
  });
});

describe('Vocabulary after its table is built', () => {
  it('gives a word its id again, and takes new words and forms, as if no table had been built between', () => {
    const phrases = ['kill', 'kil', 'killll', 'you', 'kill you', 'yoo', "i'll", 'ill', 'kil', 'you', 'zzap'];
    const text = 'kill killll kil you yoo ill i\'ll zzap zap';
    const n = normalizeForMatching(text);
    const tokens = tokenize(n, text);
    const all = new Vocabulary();
    const allIds = phrases.map((p) => expandPhrase(all, p));
    const stepped = new Vocabulary();
    const steppedIds = phrases.map((p) => {
      const ids = expandPhrase(stepped, p);
      stepped.idsOf(n, tokens); // builds the table, which the next new word replaces
      return ids;
    });
    expect(steppedIds).toEqual(allIds);
    expect(stepped.size).toBe(all.size);
    expect(stepped.idsOf(n, tokens)).toEqual(all.idsOf(n, tokens));
  });
});
