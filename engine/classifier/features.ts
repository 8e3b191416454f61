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
import type { Word } from './words.js';

export { wordsOf, type Word } from './words.js';

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

/**
 * A list kept for `featuresOf` to fill again, for a caller that makes one list after another and
 * reads each only until it makes the next (the classifier check: a list lives for one evaluation's
 * detection). A fresh buffer per list was ~2 µs of a clean 280-character post: memory outside
 * the heap, zeroed, and six views of it.
 */
/** The most occurrences a kept list has room for: ~340 KiB, a text of some 5,000 characters. */
const MAX_KEPT = 1 << 14;

export interface FeatureScratch {
  list?: FeatureList;
}

/** The feature occurrences of the words; into `scratch`'s list (grown if short) when given. */
export function featuresOf(posts: readonly Word[][], scratch?: FeatureScratch): FeatureList {
  let capacity = 0;
  // At most 4 word features and 3 letter pieces (3 to 5 long) per letter: `<word>` has length starts.
  for (const words of posts) for (const w of words) capacity += 4 + 3 * w.text.length;
  let list = scratch?.list;
  if (list === undefined || list.hash.length < capacity) {
    // Room for longer posts than this one; a long text's list (~21 bytes an occurrence) is not kept.
    const kept = scratch !== undefined && capacity <= MAX_KEPT;
    list = emptyList(kept ? Math.min(2 * capacity, MAX_KEPT) : capacity);
    if (kept) scratch.list = list;
  }
  list.distinct = undefined;
  let n = 0;
  for (let post = 0; post < posts.length; post++) {
    const words = posts[post]!;
    for (let i = 0; i < words.length; i++) {
      n = wordFeatures(list, n, post, words, i);
      const w = words[i]!.text;
      if (w !== '#' && w !== '@' && w !== '/') n = letterPieces(list, n, post, i, w);
    }
  }
  list.length = n;
  return list;
}

function emptyList(capacity: number): FeatureList {
  // One buffer for the six arrays: one allocation outside the heap, not six.
  const buffer = new ArrayBuffer(21 * capacity);
  return {
    length: 0,
    hash: new Uint32Array(buffer, 0, capacity),
    post: new Uint32Array(buffer, 4 * capacity, capacity),
    first: new Uint32Array(buffer, 8 * capacity, capacity),
    last: new Uint32Array(buffer, 12 * capacity, capacity),
    distinct: undefined, // one shape for every list, counted or not
    slot: new Int32Array(buffer, 16 * capacity, capacity),
    skip: new Uint8Array(buffer, 20 * capacity, capacity),
  };
}

/** Writes occurrence n; returns n + 1. */
function put(list: FeatureList, n: number, hash: number, post: number, first: number, last: number): number {
  list.hash[n] = hash;
  list.post[n] = post;
  list.first[n] = first;
  list.last[n] = last;
  return n + 1;
}

/**
 * The word, pair, triple and skipped pair that start at word i. FNV is a chain per feature, so
 * the four chains that read word i (and the two that read each next word) are stepped together
 * in one loop: independent multiplications overlap, where one chain after another waits on each.
 */
function wordFeatures(list: FeatureList, n: number, post: number, words: readonly Word[], i: number): number {
  const w = words[i]!.text;
  let word = W;
  let pair = B;
  let triple = T;
  let skipped = S;
  for (let k = 0; k < w.length; k++) {
    const c = w.charCodeAt(k);
    word = step(word, c);
    pair = step(pair, c);
    triple = step(triple, c);
    skipped = step(skipped, c);
  }
  n = put(list, n, word, post, i, i);
  if (i + 1 >= words.length) return n;
  const next = words[i + 1]!.text;
  pair = step(pair, SPACE);
  triple = step(triple, SPACE);
  for (let k = 0; k < next.length; k++) {
    const c = next.charCodeAt(k);
    pair = step(pair, c);
    triple = step(triple, c);
  }
  n = put(list, n, pair, post, i, i + 1);
  if (i + 2 >= words.length) return n;
  const third = words[i + 2]!.text;
  triple = step(triple, SPACE);
  skipped = step(skipped, SPACE);
  for (let k = 0; k < third.length; k++) {
    const c = third.charCodeAt(k);
    triple = step(triple, c);
    skipped = step(skipped, c);
  }
  n = put(list, n, triple, post, i, i + 2);
  return put(list, n, skipped, post, i, i + 2);
}

// `<word>` as char codes, reused from word to word (single-threaded; read at once).
let padded = new Uint16Array(64);

/** The letter pieces of `<word>`, 3 to 5 long, by start then length. */
function letterPieces(list: FeatureList, n: number, post: number, i: number, w: string): number {
  const size = w.length + 2;
  if (padded.length < size) padded = new Uint16Array(2 * size);
  const codes = padded;
  codes[0] = OPEN;
  for (let k = 0; k < w.length; k++) codes[k + 1] = w.charCodeAt(k);
  codes[size - 1] = CLOSE;
  for (let start = 0; start + 3 <= size; start++) {
    let h = step(step(step(C, codes[start]!), codes[start + 1]!), codes[start + 2]!);
    n = put(list, n, h, post, i, i);
    if (start + 4 > size) continue;
    h = step(h, codes[start + 3]!);
    n = put(list, n, h, post, i, i);
    if (start + 5 > size) continue;
    n = put(list, n, step(h, codes[start + 4]!), post, i, i);
  }
  return n;
}

export { featureNames } from './feature-names.js';
