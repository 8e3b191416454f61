/**
 * Which feature occurrences of a reading touch given spans of its posts: the words of a guarded
 * match or of a harmless context, left out of a model's reading (engine/detectors/classifier.ts).
 */
import { wordSpan, type FeatureList, type WordList } from './features.js';

/**
 * The feature occurrences that touch a word of a suppressed match (their spans overlap). Only the
 * occurrences around such a word are visited: those reading word w are its own block and, in the
 * same post, the pair, triple and skipped pair of word w - 1 and the triple and skipped pair of
 * word w - 2 (FeatureList). The marks are the list's own scratch (`skip`): read at once by
 * `presentAt`, never kept.
 */
export function occurrencesTouching(features: FeatureList, words: WordList, suppressed: readonly { post: number; from: number; to: number }[]): Uint8Array {
  const out = features.skip.fill(0, 0, features.length);
  for (const m of suppressed) {
    // The words overlapping the match, found by their ends: a scan of every word per match was
    // ~70 % of a 250,000-character post's evaluation (thousands of matches times ~45,000 words).
    const base = words.first[m.post]!;
    const last = words.first[m.post + 1]!;
    for (let g = base + firstEndingAfter(words, m.post, m.from); g < last && words.start[g]! < m.to; g++) {
      markReaching(features, out, g, g);
      if (g - base >= 1) markReaching(features, out, g - 1, g);
      if (g - base >= 2) markReaching(features, out, g - 2, g);
    }
  }
  return out;
}

/**
 * The first word of the post that ends after `from`, as its index in the post (the post's word
 * count if none). A post's words come in text order, their starts and their ends both ascending
 * (classifier.test.ts holds it).
 */
export function firstEndingAfter(words: WordList, post: number, from: number): number {
  const base = words.first[post]!;
  let lo = base;
  let hi = words.first[post + 1]!;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (words.end[mid]! <= from) lo = mid + 1;
    else hi = mid;
  }
  return lo - base;
}

/** Marks the occurrences of word g's block that read as far as word `reached` (g, or a word after it in its post). */
function markReaching(features: FeatureList, out: Uint8Array, g: number, reached: number): void {
  const from = features.blockStart[g]!;
  const to = features.blockStart[g + 1]!;
  // Past its first four, a block holds letter pieces: they read its own word alone.
  const end = g === reached ? to : Math.min(to, from + 4);
  for (let i = from; i < end; i++) if (g + wordSpan(features, g, i - from) >= reached) out[i] = 1;
}
