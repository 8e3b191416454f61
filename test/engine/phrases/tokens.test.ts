import { describe, expect, it } from 'vitest';
import { normalizeForMatching } from '../../../engine/normalize.js';
import { TOKEN_CLASS, tokenize } from '../../../engine/phrases/tokens.js';

function tokens(text: string) {
  const n = normalizeForMatching(text);
  const t = tokenize(n, text);
  return Array.from({ length: t.count }, (_, i) => ({
    // A word's collapsed form is its span of the normalised text; a class token has none.
    word: t.classes[i] === 0 ? n.text.slice(t.start[i], t.end[i]) : Object.entries(TOKEN_CLASS).filter(([, bit]) => (t.classes[i]! & bit) !== 0).map(([name]) => name).join('+'),
    text: text.slice(t.from[i], t.to[i]),
    sentence: t.sentence[i],
  }));
}

describe('tokenize', () => {
  it('gives words with their sentence and their place in the original text', () => {
    expect(tokens("I'll GO. Now!\nok")).toEqual([
      { word: 'i', text: 'I', sentence: 0 },
      { word: 'l', text: 'll', sentence: 0 }, // repeats collapse: `ll` is the word `l` with a run of 2
      { word: 'go', text: 'GO', sentence: 0 },
      { word: 'now', text: 'Now', sentence: 1 },
      { word: 'ok', text: 'ok', sentence: 2 },
    ]);
  });

  it('turns numbers, amounts and links into one token each, in order', () => {
    expect(tokens('10,000 followers from $9.99 or 5k for 50 usd at bit.ly/abc, 20% off').map((t) => [t.word, t.text])).toEqual([
      ['NUMBER', '10,000'],
      ['folowers', 'followers'],
      ['from', 'from'],
      ['NUMBER+MONEY', '$9.99'],
      ['or', 'or'],
      ['NUMBER', '5k'],
      ['for', 'for'],
      ['NUMBER+MONEY', '50 usd'],
      ['at', 'at'],
      ['URL', 'bit.ly/abc'],
      ['NUMBER', '20%'],
      ['of', 'off'],
    ]);
  });

  it('marks a plain four-digit 19xx or 20xx as a year too, and no other number or amount', () => {
    expect(tokens('in 2019 I had 2,019 or 2019k or $2019 or 2150 and 1899; 1987').map((t) => [t.word, t.text]).filter(([w]) => w === w!.toUpperCase())).toEqual([
      ['NUMBER+YEAR', '2019'],
      ['NUMBER', '2,019'],
      ['NUMBER', '2019k'],
      ['NUMBER+MONEY', '$2019'],
      ['NUMBER', '2150'],
      ['NUMBER', '1899'],
      ['NUMBER+YEAR', '1987'],
    ]);
  });

  it('reads a run of laughing emoji as one $LAUGH token, 😭 as $SOB, and no other emoji', () => {
    expect(tokens('kill me 😂😂 now 🤣 ok 😭😭 🔪💀 😆😹').map((t) => [t.word, t.text])).toEqual([
      ['kil', 'kill'],
      ['me', 'me'],
      ['LAUGH', '😂😂'],
      ['now', 'now'],
      ['LAUGH', '🤣'],
      ['ok', 'ok'],
      ['SOB', '😭😭'],
      ['LAUGH', '😆😹'],
    ]);
  });

  it('puts an amount before a full stop in its own sentence, and a post of only an amount in one', () => {
    expect(tokens('Pay $5. Now').map((t) => [t.word, t.sentence])).toEqual([['pay', 0], ['NUMBER+MONEY', 0], ['now', 1]]);
    expect(tokens('$5').map((t) => t.word)).toEqual(['NUMBER+MONEY']);
  });

  it('keeps leetspeak words as words (k1ll) and numbers inside a link inside the link', () => {
    expect(tokens('k1ll at https://x.io/12345').map((t) => t.word)).toEqual(['kil', 'at', 'URL']);
  });

  it('reads a handle as one $HANDLE token, with no words or numbers of its own, and an address or a bare @ not as one', () => {
    expect(tokens('@TheRealMike_99 soon, cc @99problems and @a_1; mail jo@mail.co or drop your @ below').map((t) => [t.word, t.text])).toEqual([
      ['HANDLE', '@TheRealMike_99'], // the matching view read it as "atherealmike g" (9 as g), and 99 as a number
      ['son', 'soon'],
      ['c', 'cc'],
      ['HANDLE', '@99problems'],
      ['and', 'and'],
      ['HANDLE', '@a_1'],
      ['mail', 'mail'],
      ['URL', 'mail.co'], // an address is no handle; its host is a link (and the word it touches goes with it), as before
      ['or', 'or'],
      ['drop', 'drop'],
      ['your', 'your'],
      ['below', 'below'],
    ]);
  });

  it('stays linear on hostile digit runs (1,1,1,… would restart a regular expression at every digit)', () => {
    const hostile = '1,'.repeat(20_000);
    const t = tokenize(normalizeForMatching(hostile), hostile);
    expect(t.count).toBe(1); // one long number
  });
});
