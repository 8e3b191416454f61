/**
 * The words as engine/classifier/words.ts read them before its flat list (word-list.ts), object by
 * object, kept as the reference its property test compares with (words.test.ts).
 *
 * The words a text model reads, from the caller's text with their spans: NFKC folds decorative
 * letterforms (mathematical bold, fullwidth, circled), digits and symbols inside a word are read
 * as the letters they stand for (k1ll, $cam), runs of three or more of one letter shrink to two,
 * a number is `#`, a mention `@` and a link `/`.
 */
import { linkSpans } from '../../../engine/phrases/tokens.js';

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };

interface Word {
  /** The word as the model reads it (`kill` for `K1LL`); `#` for a number. */
  text: string;
  post: number;
  /** [start, end) in the post's text. */
  span: [number, number];
}

// What a word is made of: letters and numbers of any script, and @ $ ! ' ’ * inside it.
// The text is scanned by code unit with a table for ASCII (the bulk of every post): a /u
// regular expression and a match object per word were the largest cost of a clean post.
const NONE = 0;
const LETTER = 1; // \p{L} or \p{N}
const SYMBOL = 2; // @ $ ! ' ’ *
const ASCII_KIND = new Uint8Array(128);
for (let c = 48; c <= 57; c++) ASCII_KIND[c] = LETTER;
for (let c = 65; c <= 90; c++) ASCII_KIND[c] = ASCII_KIND[c + 32] = LETTER;
for (const ch of "@$!'*") ASCII_KIND[ch.charCodeAt(0)] = SYMBOL;
const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u;
const wideKinds = new Map<number, number>();

function kindOf(cp: number): number {
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

/** The words of each post, in order. */
export function referenceWordsOf(posts: readonly string[]): Word[][] {
  return posts.map(wordsOfPost);
}

function wordsOfPost(text: string, post: number): Word[] {
  const words: Word[] = [];
  // A link is one word, `/`: the words of its path ("…/goes/on/and/on/until/the/end") say nothing.
  const links = linkSpans(text);
  let l = 0;
  for (let i = 0; i < text.length; ) {
    let c = text.charCodeAt(i);
    if (c >= 128) {
      const cp = text.codePointAt(i)!;
      if (kindOf(cp) === NONE) {
        i += cp > 0xffff ? 2 : 1;
        continue;
      }
    } else if (ASCII_KIND[c] === NONE) {
      i++;
      continue;
    }
    // To the word's end, noting whether it is plain (readWord): ASCII letters, no run of three.
    const start = i;
    let plain = true;
    let run = 0;
    let previous = -1;
    for (;;) {
      if (c < 128) {
        const letter = c >= 65 && ASCII_KIND[c] === LETTER;
        plain &&= letter && (run = (c | 32) === previous ? run + 1 : 1) < 3;
        previous = c | 32;
        i++;
      } else {
        const cp = text.codePointAt(i)!;
        if (kindOf(cp) === NONE) break;
        plain = false;
        i += cp > 0xffff ? 2 : 1;
      }
      if (i >= text.length) break;
      c = text.charCodeAt(i);
      if (c < 128 && ASCII_KIND[c] === NONE) break;
    }
    while (l < links.length && links[l]![1] <= start) l++;
    const link = links[l];
    if (link && start >= link[0]) {
      if (words.at(-1)?.span[0] !== link[0]) words.push({ text: '/', post, span: [link[0], link[1]] });
      continue;
    }
    const read = plain ? text.slice(start, i).toLowerCase() : trimmedWord(text, start, i);
    if (read) words.push({ text: read, post, span: [start, i] });
  }
  return words;
}

/** The word in [start, end) with the punctuation at its ends left out (isEdgeSymbol), if any is left. */
function trimmedWord(text: string, start: number, end: number): string | undefined {
  let from = start;
  let to = end;
  while (from < to && isEdgeSymbol(text.charCodeAt(from))) from++;
  while (to > from && isEdgeSymbol(text.charCodeAt(to - 1))) to--;
  return to > from ? readWord(text, from, to) : undefined;
}
