/**
 * How many different features a text has, for the models that damp long posts (ModelSpec.normalize).
 */
import type { FeatureList } from './features.js';

/**
 * How many different features the words have (`featureNames(words).length`), what a normalised
 * model divides by. Counted on first need (~10 µs for a 280-character post) and kept on the list:
 * a pack with no normalised model never pays for it.
 */
export function distinctFeatures(list: FeatureList): number {
  return (list.distinct ??= distinctCount(list.hash, list.length));
}

/** The number of different values among the first `n` hashes: an open-addressing set, no Set of numbers. */
function distinctCount(hash: Uint32Array, n: number): number {
  let size = 16;
  while (size < 2 * n) size *= 2;
  const mask = size - 1;
  const keys = new Uint32Array(size);
  const used = new Uint8Array(size);
  let count = 0;
  for (let k = 0; k < n; k++) {
    const h = hash[k]!;
    let i = h & mask;
    while (used[i] === 1 && keys[i] !== h) i = (i + 1) & mask;
    if (used[i] === 0) {
      used[i] = 1;
      keys[i] = h;
      count++;
    }
  }
  return count;
}
