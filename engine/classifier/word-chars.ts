/**
 * What a word is made of, and how one is read (k1ll → kill, 𝐤𝐢𝐥𝐥 → kill, a number → `#`, a mention
 * → `@`): the rules words.ts applies while it scans a text.
 */

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };

// What a word is made of: letters and numbers of any script, and @ $ ! ' ’ * inside it.
// The text is scanned by code unit with a table for ASCII (the bulk of every post): a /u
// regular expression and a match object per word were the largest cost of a clean post.
export const NONE = 0;
export const LETTER = 1; // \p{L} or \p{N}
const SYMBOL = 2; // @ $ ! ' ’ *
export const ASCII_KIND = new Uint8Array(128);
for (let c = 48; c <= 57; c++) ASCII_KIND[c] = LETTER;
for (let c = 65; c <= 90; c++) ASCII_KIND[c] = ASCII_KIND[c + 32] = LETTER;
for (const ch of "@$!'*") ASCII_KIND[ch.charCodeAt(0)] = SYMBOL;
const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u;
const wideKinds = new Map<number, number>();

export function kindOf(cp: number): number {
  if (cp < 128) return ASCII_KIND[cp]!;
  if (cp === 0x2019) return SYMBOL;
  let kind = wideKinds.get(cp);
  if (kind === undefined) wideKinds.set(cp, (kind = LETTER_OR_NUMBER.test(String.fromCodePoint(cp)) ? LETTER : NONE));
  return kind;
}

/** ! ' ’ * at either end of a word are punctuation ("wow!", "'kill'"), not letters. */
const isEdgeSymbol = (c: number): boolean => c === 33 || c === 39 || c === 0x2019 || c === 42;

function readWord(text: string, from: number, to: number): string | undefined {
  // The common case: ASCII letters with no run of three of one letter. Read as is, lower-cased.
  let plain = true;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || ASCII_KIND[c] !== LETTER || c < 65 || (i - from >= 2 && (c | 32) === (text.charCodeAt(i - 1) | 32) && (c | 32) === (text.charCodeAt(i - 2) | 32))) {
      plain = false;
      break;
    }
  }
  if (plain) return text.slice(from, to).toLowerCase();
  return readSpelling(text.slice(from, to));
}

/** A word with digits, symbols, letters outside ASCII or long runs: k1ll, $cam, 𝐤𝐢𝐥𝐥, killlll, 2024. */
function readSpelling(raw: string): string | undefined {
  if (raw.length > 1 && raw.charCodeAt(0) === 64 /* @ */ && kindOf(raw.codePointAt(1)!) === LETTER) return '@'; // a mention: who, not what
  const ascii = /^[\x20-\x7e]*$/.test(raw);
  const folded = (ascii ? raw : raw.normalize('NFKC')).toLowerCase().replace(/['’*]/g, '');
  if (folded.length === 0) return undefined;
  let out = '';
  let letters = 0;
  let digits = 0;
  for (const ch of folded) {
    const code = ch.charCodeAt(0);
    const isAsciiLetter = code >= 97 && code <= 122;
    if (!isAsciiLetter && code >= 48 && code <= 57) digits++;
    const letter = isAsciiLetter ? ch : (LEET[ch] ?? (code > 127 && /\p{L}/u.test(ch) ? ch : undefined));
    if (letter === undefined) continue;
    if (isAsciiLetter || !(ch in LEET)) letters++;
    if (out.length >= 2 && out[out.length - 1] === letter && out[out.length - 2] === letter) continue;
    out += letter;
  }
  // Digits and symbols are letters only inside a word that has real letters (k1ll, not 2024).
  if (letters === 0) return digits > 0 ? '#' : undefined;
  return out;
}

/** The word in [start, end) with the punctuation at its ends left out (isEdgeSymbol), if any is left. */
export function trimmedWord(text: string, start: number, end: number): string | undefined {
  let from = start;
  let to = end;
  while (from < to && isEdgeSymbol(text.charCodeAt(from))) from++;
  while (to > from && isEdgeSymbol(text.charCodeAt(to - 1))) to--;
  return to > from ? readWord(text, from, to) : undefined;
}
