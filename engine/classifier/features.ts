/**
 * The features a text model reads: words, word pairs and triples, pairs with one word between
 * them, and the 3- to 5-letter pieces of each word, as 32-bit FNV-1a hashes of their names
 * (`w:kill`, `b:kill you`, `t:i will kill`, `s:i kill`, `c:<ki`). The skipped pair carries a
 * phrase across the word people vary most ("i'll [really|fucking|come] end you"): cross-validated
 * over held-out corpus rounds it added 0.4–1.4 points of recall.
 *
 * Hashing the same bytes step by step as the names are built means no string is made on the
 * evaluate path; the model file keeps the names, hashed once when the pack compiles.
 *
 * Words come from the caller's text with their spans: NFKC folds decorative letterforms
 * (mathematical bold, fullwidth, circled), digits and symbols inside a word are read as the
 * letters they stand for (k1ll, $cam), runs of three or more of one letter shrink to two, a
 * number is `#`, a mention `@` and a link `/`.
 */

import { linkSpans } from '../phrases/tokens.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function step(hash: number, code: number): number {
  return Math.imul(hash ^ code, FNV_PRIME) >>> 0;
}

function hashOf(hash: number, text: string): number {
  for (let i = 0; i < text.length; i++) hash = step(hash, text.charCodeAt(i));
  return hash;
}

/** The hash of a feature name, as the model file writes it (`b:kill you`). */
export function featureHash(name: string): number {
  return hashOf(FNV_OFFSET, name);
}

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };

export interface Word {
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
export function wordsOf(posts: readonly string[]): Word[][] {
  return posts.map((text, post) => {
    const words: Word[] = [];
    // A link is one word, `/`: the words of its path ("…/goes/on/and/on/until/the/end") say nothing.
    const links = linkSpans(text);
    let l = 0;
    for (let i = 0; i < text.length; ) {
      let cp = text.codePointAt(i)!;
      if (kindOf(cp) === NONE) {
        i += cp > 0xffff ? 2 : 1;
        continue;
      }
      const start = i;
      do i += cp > 0xffff ? 2 : 1;
      while (i < text.length && kindOf((cp = text.codePointAt(i)!)) !== NONE);
      while (l < links.length && links[l]![1] <= start) l++;
      const link = links[l];
      if (link && start >= link[0]) {
        if (words.at(-1)?.span[0] !== link[0]) words.push({ text: '/', post, span: [link[0], link[1]] });
        continue;
      }
      let from = start;
      let to = i;
      while (from < to && isEdgeSymbol(text.charCodeAt(from))) from++;
      while (to > from && isEdgeSymbol(text.charCodeAt(to - 1))) to--;
      const read = to > from ? readWord(text, from, to) : undefined;
      if (read) words.push({ text: read, post, span: [start, i] });
    }
    return words;
  });
}

const W = featureHash('w:');
const B = featureHash('b:');
const T = featureHash('t:');
const S = featureHash('s:');
const C = featureHash('c:');
const SPACE = ' '.charCodeAt(0);
const OPEN = '<'.charCodeAt(0);
const CLOSE = '>'.charCodeAt(0);

/**
 * Every feature occurrence of the words, in order, repeats included (a model counts each feature
 * once: see TextModel). Flat arrays: a 280-character post has about a thousand of them.
 * Pairs and triples stay inside a post.
 */
export interface FeatureList {
  length: number;
  hash: Uint32Array;
  post: Uint32Array;
  /** First and last word of the occurrence, in its post. */
  first: Uint32Array;
  last: Uint32Array;
  /** How many different features the words have, once `distinctFeatures` has counted them. */
  distinct?: number;
  /** Scratch in the same buffer: each occurrence's slot (`FeatureTable.slotsAt`), a guarded model's marks. */
  slot: Int32Array;
  skip: Uint8Array;
}

export function featuresOf(posts: readonly Word[][]): FeatureList {
  let capacity = 0;
  // At most 4 word features and 3 letter pieces (3 to 5 long) per letter: `<word>` has length starts.
  for (const words of posts) for (const w of words) capacity += 4 + 3 * w.text.length;
  // One buffer for the six arrays: one allocation outside the heap, not six.
  const buffer = new ArrayBuffer(21 * capacity);
  const list: FeatureList = {
    length: 0,
    hash: new Uint32Array(buffer, 0, capacity),
    post: new Uint32Array(buffer, 4 * capacity, capacity),
    first: new Uint32Array(buffer, 8 * capacity, capacity),
    last: new Uint32Array(buffer, 12 * capacity, capacity),
    distinct: undefined, // one shape for every list, counted or not
    slot: new Int32Array(buffer, 16 * capacity, capacity),
    skip: new Uint8Array(buffer, 20 * capacity, capacity),
  };
  const { hash, post: postOf, first, last } = list;
  let n = 0;
  for (let post = 0; post < posts.length; post++) {
    const words = posts[post]!;
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!.text;
      const wordHash = hashOf(W, w);
      hash[n] = wordHash; postOf[n] = post; first[n] = i; last[n++] = i;
      if (i + 1 < words.length) {
        const next = words[i + 1]!.text;
        hash[n] = hashOf(step(hashOf(B, w), SPACE), next); postOf[n] = post; first[n] = i; last[n++] = i + 1;
        if (i + 2 < words.length) {
          const third = words[i + 2]!.text;
          hash[n] = hashOf(step(hashOf(step(hashOf(T, w), SPACE), next), SPACE), third); postOf[n] = post; first[n] = i; last[n++] = i + 2;
          hash[n] = hashOf(step(hashOf(S, w), SPACE), third); postOf[n] = post; first[n] = i; last[n++] = i + 2;
        }
      }
      if (w === '#' || w === '@' || w === '/') continue;
      // Letter pieces of `<word>`, 3 to 5 long.
      const size = w.length + 2;
      for (let start = 0; start + 3 <= size; start++) {
        let h = C;
        const end = Math.min(size, start + 5);
        for (let k = start; k < end; k++) {
          h = step(h, k === 0 ? OPEN : k === size - 1 ? CLOSE : w.charCodeAt(k - 1));
          if (k - start >= 2) {
            hash[n] = h; postOf[n] = post; first[n] = i; last[n++] = i;
          }
        }
      }
    }
  }
  list.length = n;
  return list;
}

/** The feature names of the words, for training (same order and first-occurrence rule as `featuresOf`). */
export function featureNames(posts: readonly Word[][]): string[] {
  const seen = new Set<string>();
  const names: string[] = [];
  const add = (name: string) => {
    if (!seen.has(name)) {
      seen.add(name);
      names.push(name);
    }
  };
  for (const words of posts) {
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!.text;
      add(`w:${w}`);
      if (i + 1 < words.length) {
        add(`b:${w} ${words[i + 1]!.text}`);
        if (i + 2 < words.length) {
          add(`t:${w} ${words[i + 1]!.text} ${words[i + 2]!.text}`);
          add(`s:${w} ${words[i + 2]!.text}`);
        }
      }
      if (w === '#' || w === '@' || w === '/') continue;
      const padded = `<${w}>`;
      for (let start = 0; start + 3 <= padded.length; start++) {
        for (let len = 3; len <= 5 && start + len <= padded.length; len++) add(`c:${padded.slice(start, start + len)}`);
      }
    }
  }
  return names;
}
