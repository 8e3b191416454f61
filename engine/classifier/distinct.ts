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

// The set's scratch, reused from post to post: a slot is taken when its stamp is this call's
// generation, so nothing is cleared or allocated per post (two fresh arrays of ~10 KiB, zeroed,
// were half the count's cost on a 280-character post). A text too long for the kept scratch
// (over 32,768 occurrences) gets arrays of its own, which are not kept.
const KEPT = 1 << 16;
let keys = new Uint32Array(0);
let stamps = new Uint32Array(0);
let generation = 0;

/**
 * The number of different values among the first `n` hashes: an open-addressing set, no Set of
 * numbers.
 */
function distinctCount(hash: Uint32Array, n: number): number {
  let size = 16;
  while (size < 2 * n) size *= 2;
  if (size > KEPT) return countInto(hash, n, new Uint32Array(size), new Uint32Array(size), 1);
  if (keys.length < size) {
    keys = new Uint32Array(size);
    stamps = new Uint32Array(size);
    generation = 0;
  }
  if (generation === 0xffffffff) {
    stamps.fill(0);
    generation = 0;
  }
  return countInto(hash, n, keys, stamps, ++generation, size - 1);
}

function countInto(hash: Uint32Array, n: number, keys: Uint32Array, stamps: Uint32Array, gen: number, mask = keys.length - 1): number {
  let count = 0;
  for (let k = 0; k < n; k++) {
    const h = hash[k]!;
    let i = h & mask;
    while (stamps[i] === gen && keys[i] !== h) i = (i + 1) & mask;
    if (stamps[i] !== gen) {
      stamps[i] = gen;
      keys[i] = h;
      count++;
    }
  }
  return count;
}
