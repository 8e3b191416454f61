/**
 * The features a text model reads: words, word pairs and triples, and the 3- to 5-letter pieces
 * of each word, as 32-bit FNV-1a hashes of their names (`w:kill`, `b:kill you`, `t:i will kill`,
 * `c:<ki`). Hashing the same bytes step by step as the names are built means no string is made
 * on the evaluate path; the model file keeps the names, hashed once when the pack compiles.
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
const WORD = /[\p{L}\p{N}@$!'’*]+/gu;

export interface Word {
  /** The word as the model reads it (`kill` for `K1LL`); `#` for a number. */
  text: string;
  post: number;
  /** [start, end) in the post's text. */
  span: [number, number];
}

function readWord(raw: string): string | undefined {
  if (raw.length > 1 && raw.charCodeAt(0) === 64 /* @ */ && /^@[\p{L}\p{N}]/u.test(raw)) return '@'; // a mention: who, not what
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
    for (const m of text.matchAll(WORD)) {
      while (l < links.length && links[l]![1] <= m.index) l++;
      const link = links[l];
      if (link && m.index >= link[0]) {
        if (words.at(-1)?.span[0] !== link[0]) words.push({ text: '/', post, span: [link[0], link[1]] });
        continue;
      }
      // A leading or trailing symbol is punctuation, not a letter ("wow!", "@user" stays a word).
      const raw = m[0].replace(/^[!'’*]+|[!'’*]+$/g, '');
      const read = raw.length > 0 ? readWord(raw) : undefined;
      if (read) words.push({ text: read, post, span: [m.index, m.index + m[0].length] });
    }
    return words;
  });
}

const W = featureHash('w:');
const B = featureHash('b:');
const T = featureHash('t:');
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
}

export function featuresOf(posts: readonly Word[][]): FeatureList {
  let capacity = 0;
  for (const words of posts) for (const w of words) capacity += 3 + 3 * (w.text.length + 2);
  const list: FeatureList = { length: 0, hash: new Uint32Array(capacity), post: new Uint32Array(capacity), first: new Uint32Array(capacity), last: new Uint32Array(capacity) };
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
          hash[n] = hashOf(step(hashOf(step(hashOf(T, w), SPACE), next), SPACE), words[i + 2]!.text); postOf[n] = post; first[n] = i; last[n++] = i + 2;
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
        if (i + 2 < words.length) add(`t:${w} ${words[i + 1]!.text} ${words[i + 2]!.text}`);
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
