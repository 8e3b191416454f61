/**
 * The features a text model reads: words, word pairs and triples, pairs with one word between
 * them, and the 3- to 5-letter pieces of each word, as 32-bit FNV-1a hashes of their names
 * (`w:kill`, `b:kill you`, `t:i will kill`, `s:i kill`, `c:<ki`). The skipped pair carries a
 * phrase across the word people vary most ("i'll [really|fucking|come] end you"): cross-validated
 * over held-out corpus rounds it added 0.4–1.4 points of recall.
 *
 * Hashing the same bytes step by step as the names are built means no string is made on the
 * evaluate path; the model file keeps the names, hashed once when the pack compiles. The words
 * themselves come from words.ts.
 */
import { fnvRange, fnvStep as step } from '../fnv.js';
import { listOf, type WordList } from './word-list.js';
import type { Word } from './words.js';

export { readWords, wordsOf, type Word } from './words.js';
export type { WordList, WordScratch } from './word-list.js';

/** The hash of a feature name, as the model file writes it (`b:kill you`). */
export function featureHash(name: string): number {
  return fnvRange(name, 0, name.length);
}

const W = featureHash('w:');
const B = featureHash('b:');
const T = featureHash('t:');
const S = featureHash('s:');
const C = featureHash('c:');
const SPACE = ' '.charCodeAt(0);
const OPEN = '<'.charCodeAt(0);
const CLOSE = '>'.charCodeAt(0);
const HASH = '#'.charCodeAt(0);
const AT = '@'.charCodeAt(0);
const SLASH = '/'.charCodeAt(0);
const CARET = '^'.charCodeAt(0);

/**
 * Every feature occurrence of the words, in order, repeats included (a model counts each feature
 * once: see TextModel). Flat arrays: a 280-character post has about a thousand of them.
 * Pairs and triples stay inside a post.
 *
 * Each word's occurrences are one block: its word, pair, triple and skipped pair (those its post
 * has room for), then its letter pieces. Which words an occurrence reads follows from its place
 * in its block (`wordsAt`): kept per word, not per occurrence (three stores an occurrence were a
 * quarter of `featuresOf`).
 */
export interface FeatureList {
  length: number;
  hash: Uint32Array;
  /**
   * How many different features the words have, once counted: by `slotsAndPresent` for a post
   * (it dedupes the hashes to look each up once), else by `distinctFeatures`.
   */
  distinct?: number;
  /** Scratch in the same buffer: each occurrence's slot (`FeatureTable.slotsAt`), a guarded model's marks. */
  slot: Int32Array;
  skip: Uint8Array;
  /** How many words the posts have; word g (posts one after another) is the `index`-th of post `post`. */
  words: number;
  /** Where word g's block starts; `blockStart[words]` is `length`. */
  blockStart: Uint32Array;
  post: Uint32Array;
  index: Uint32Array;
}

/** The post of occurrence `at`, and the first and last word it reads (their index in that post). */
export function wordsAt(list: FeatureList, at: number): { post: number; first: number; last: number } {
  // The last block starting at or before `at` (every block holds at least its word).
  let lo = 0;
  let hi = list.words - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (list.blockStart[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  const k = at - list.blockStart[lo]!;
  const first = list.index[lo]!;
  return { post: list.post[lo]!, first, last: first + wordSpan(list, lo, k) };
}

/** How many words past its first the k-th occurrence of word g's block reads: 0, 1 (a pair) or 2. */
export function wordSpan(list: FeatureList, g: number, k: number): number {
  if (k === 0) return 0;
  const post = list.post[g];
  const next = g + 1 < list.words && list.post[g + 1] === post;
  if (!next) return 0; // letter pieces alone follow the word
  if (k === 1) return 1;
  const third = g + 2 < list.words && list.post[g + 2] === post;
  return third && k <= 3 ? 2 : 0;
}

/**
 * A list kept for `featuresOf` to fill again, for a caller that makes one list after another and
 * reads each only until it makes the next (the classifier check: a list lives for one evaluation's
 * detection). A fresh buffer per list was ~2 µs of a clean 280-character post: memory outside
 * the heap, zeroed, and six views of it.
 */
export interface FeatureScratch {
  list?: FeatureList;
}

/** The most occurrences a kept list has room for: ~150 KiB, a text of some 5,000 characters. */
const MAX_KEPT = 1 << 14;

/** The feature occurrences of the words; into `scratch`'s list (grown if short) when given. */
export function featuresOf(given: WordList | readonly Word[][], scratch?: FeatureScratch): FeatureList {
  const words = Array.isArray(given) ? listOf(given) : (given as WordList);
  // At most 4 word features and 3 letter pieces (3 to 5 long) per letter: `<word>` has length starts.
  const capacity = 4 * words.count + 3 * words.from[words.count]!;
  let list = scratch?.list;
  if (list === undefined || list.hash.length < capacity) {
    // Room for longer posts than this one; a long text's list (~9 bytes an occurrence) is not kept.
    const kept = scratch !== undefined && capacity <= MAX_KEPT;
    list = emptyList(kept ? Math.min(2 * capacity, MAX_KEPT) : capacity);
    if (kept) scratch.list = list;
  }
  list.distinct = undefined;
  let n = 0;
  for (let g = 0; g < words.count; g++) {
    const post = words.post[g]!;
    list.blockStart[g] = n;
    list.post[g] = post;
    list.index[g] = g - words.first[post]!;
    n = wordFeatures(list, n, words, g);
    const from = words.from[g]!;
    const c = words.codes[from]!;
    // `#` a number, `@` a mention, `/` a link: no letters.
    if (words.from[g + 1]! - from !== 1 || (c !== HASH && c !== AT && c !== SLASH && c !== CARET)) n = letterPieces(list, n, words, g);
  }
  list.blockStart[words.count] = n;
  list.words = words.count;
  list.length = n;
  return list;
}

function emptyList(capacity: number): FeatureList {
  // Every word has at least 7 of the capacity (4 + 3 a letter): room for the blocks' starts too.
  const words = Math.ceil(capacity / 7) + 1;
  // One buffer for the arrays: one allocation outside the heap, not six.
  const buffer = new ArrayBuffer(9 * capacity + 12 * words);
  return {
    length: 0,
    hash: new Uint32Array(buffer, 0, capacity),
    distinct: undefined, // one shape for every list, counted or not
    slot: new Int32Array(buffer, 4 * capacity, capacity),
    words: 0,
    blockStart: new Uint32Array(buffer, 8 * capacity, words),
    post: new Uint32Array(buffer, 8 * capacity + 4 * words, words),
    index: new Uint32Array(buffer, 8 * capacity + 8 * words, words),
    skip: new Uint8Array(buffer, 8 * capacity + 12 * words, capacity),
  };
}

/** Writes occurrence n; returns n + 1. */
function put(list: FeatureList, n: number, hash: number): number {
  list.hash[n] = hash;
  return n + 1;
}

/**
 * The word, pair, triple and skipped pair that start at word g. FNV is a chain per feature, so
 * the four chains that read word g (and the two that read each next word) are stepped together
 * in one loop: independent multiplications overlap, where one chain after another waits on each.
 */
function wordFeatures(list: FeatureList, n: number, words: WordList, g: number): number {
  const { codes, from, post } = words;
  let word = W;
  let pair = B;
  let triple = T;
  let skipped = S;
  for (let k = from[g]!; k < from[g + 1]!; k++) {
    const c = codes[k]!;
    word = step(word, c);
    pair = step(pair, c);
    triple = step(triple, c);
    skipped = step(skipped, c);
  }
  n = put(list, n, word);
  // Pairs and triples stay inside a post.
  if (g + 1 >= words.count || post[g + 1] !== post[g]) return n;
  pair = step(pair, SPACE);
  triple = step(triple, SPACE);
  for (let k = from[g + 1]!; k < from[g + 2]!; k++) {
    const c = codes[k]!;
    pair = step(pair, c);
    triple = step(triple, c);
  }
  n = put(list, n, pair);
  if (g + 2 >= words.count || post[g + 2] !== post[g]) return n;
  triple = step(triple, SPACE);
  skipped = step(skipped, SPACE);
  for (let k = from[g + 2]!; k < from[g + 3]!; k++) {
    const c = codes[k]!;
    triple = step(triple, c);
    skipped = step(skipped, c);
  }
  n = put(list, n, triple);
  return put(list, n, skipped);
}

// `<word>` as char codes, reused from word to word (single-threaded; read at once).
let padded = new Uint16Array(64);

/** The letter pieces of `<word>` (word g), 3 to 5 long, by start then length. */
function letterPieces(list: FeatureList, n: number, words: WordList, g: number): number {
  const from = words.from[g]!;
  const length = words.from[g + 1]! - from;
  const size = length + 2;
  if (padded.length < size) padded = new Uint16Array(2 * size);
  const codes = padded;
  codes[0] = OPEN;
  for (let k = 0; k < length; k++) codes[k + 1] = words.codes[from + k]!;
  codes[size - 1] = CLOSE;
  for (let start = 0; start + 3 <= size; start++) {
    let h = step(step(step(C, codes[start]!), codes[start + 1]!), codes[start + 2]!);
    n = put(list, n, h);
    if (start + 4 > size) continue;
    h = step(h, codes[start + 3]!);
    n = put(list, n, h);
    if (start + 5 > size) continue;
    n = put(list, n, step(h, codes[start + 4]!));
  }
  return n;
}

export { featureNames } from './feature-names.js';
