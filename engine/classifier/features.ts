/**
 * The features a text model reads: words, word pairs and triples, and the 3- to 5-letter pieces
 * of each word, as 32-bit FNV-1a hashes of their names (`w:kill`, `b:kill you`, `t:i will kill`,
 * `c:<ki`). Hashing the same bytes step by step as the names are built means no string is made
 * on the evaluate path; the model file keeps the names, hashed once when the pack compiles.
 *
 * Words come from the caller's text with their spans: NFKC folds decorative letterforms
 * (mathematical bold, fullwidth, circled), digits and symbols inside a word are read as the
 * letters they stand for (k1ll, $cam), runs of three or more of one letter shrink to two, a
 * number is `#` and a mention `@`.
 */

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
  if (raw.length > 1 && raw.startsWith('@') && /^@[\p{L}\p{N}]/u.test(raw)) return '@'; // a mention: who, not what
  const folded = raw.normalize('NFKC').toLowerCase().replace(/['’*]/g, '');
  if (folded.length === 0) return undefined;
  if (!/\p{L}/u.test(folded)) return /\p{N}/u.test(folded) ? '#' : undefined;
  let out = '';
  for (const ch of folded) {
    const letter = LEET[ch] ?? ch;
    if (!/\p{L}/u.test(letter)) continue;
    if (out.length >= 2 && out[out.length - 1] === letter && out[out.length - 2] === letter) continue;
    out += letter;
  }
  return out.length > 0 ? out : undefined;
}

/** The words of each post, in order. */
export function wordsOf(posts: readonly string[]): Word[][] {
  return posts.map((text, post) => {
    const words: Word[] = [];
    for (const m of text.matchAll(WORD)) {
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

/** One feature occurrence: its hash and the words it spans (first, last) in its post. */
export interface FeatureHit {
  hash: number;
  post: number;
  first: number;
  last: number;
}

/**
 * Every feature of the words, first occurrence only (the model counts presence, not frequency).
 * Pairs and triples stay inside a post.
 */
export function featuresOf(posts: readonly Word[][]): FeatureHit[] {
  const seen = new Set<number>();
  const hits: FeatureHit[] = [];
  const add = (hash: number, post: number, first: number, last: number) => {
    if (seen.has(hash)) return;
    seen.add(hash);
    hits.push({ hash, post, first, last });
  };
  posts.forEach((words, post) => {
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!.text;
      const unigram = hashOf(W, w);
      add(unigram, post, i, i);
      if (i + 1 < words.length) {
        const pair = hashOf(step(hashOf(B, w), SPACE), words[i + 1]!.text);
        add(pair, post, i, i + 1);
        if (i + 2 < words.length) add(hashOf(step(hashOf(step(hashOf(T, w), SPACE), words[i + 1]!.text), SPACE), words[i + 2]!.text), post, i, i + 2);
      }
      if (w === '#') continue;
      // Letter pieces of `<word>`, 3 to 5 long.
      const n = w.length + 2;
      const at = (k: number) => (k === 0 ? OPEN : k === n - 1 ? CLOSE : w.charCodeAt(k - 1));
      for (let start = 0; start + 3 <= n; start++) {
        let h = C;
        for (let k = start; k < Math.min(n, start + 5); k++) {
          h = step(h, at(k));
          if (k - start + 1 >= 3) add(h, post, i, i);
        }
      }
    }
  });
  return hits;
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
      if (w === '#') continue;
      const padded = `<${w}>`;
      for (let start = 0; start + 3 <= padded.length; start++) {
        for (let len = 3; len <= 5 && start + len <= padded.length; len++) add(`c:${padded.slice(start, start + len)}`);
      }
    }
  }
  return names;
}
