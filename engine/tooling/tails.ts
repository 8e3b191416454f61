/**
 * Tails: label-neutral sentences that posts of the service end with whatever they say ("Link in
 * bio.", "Follow for more!", "DM us for details.", a price, a hashtag line, a credit). A corpus
 * of people's posts seldom has them on harmful posts, so a bag-of-words model learns that they
 * mean "harmless" (or, for TOS, "spam"): appended to the test split, "Link in bio." cut self-harm
 * recall from 0.95 to 0.80 and raised TOS false positives from 1.2 % to 45 %. The trainer appends
 * them to a seeded share of the posts of either label (`gatehouse train --tails`), so that a model
 * learns they tell nothing; `gatehouse score --tails` appends one to every item with a held-out
 * list (rules/qa/eval/tails/: dev.txt trains, test.txt measures). Openers are the same idea at the
 * other end ("PSA:", "Morning all!", "ngl"): `gatehouse score --openers` puts one before every item.
 */
import { readFile } from 'node:fs/promises';
import { PackError } from '../errors.js';
import { appended, prepended, type CorpusItem } from './corpus.js';
import { mulberry32 } from './random.js';

/** A tails (or openers) file: one per line, blank lines skipped (no comment syntax: a tail may be a hashtag line). */
export async function loadTails(file: string, what: 'tails' | 'openers' = 'tails'): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new PackError([{ file, message: error.code === 'ENOENT' ? `${what} file not found (one sentence per line)` : error.message }]);
  });
  const tails = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  if (tails.length === 0) throw new PackError([{ file, message: `the ${what} file has no ${what} (one sentence per line)` }]);
  return tails;
}

/** The item with `tail` after its last post, on a line of its own or after a space. */
export function withTail(item: CorpusItem, tail: string, newline: boolean): CorpusItem {
  return appended(item, tail, newline ? '\n' : ' ');
}

/**
 * A seeded `share` of the items (all of them at 1), of either label alike, each with one tail
 * drawn from `tails`: the same items, tails and seed give the same result.
 */
export function withTails(items: readonly CorpusItem[], tails: readonly string[], share: number, seed: number): CorpusItem[] {
  const random = mulberry32(seed ^ 0x2545f491);
  return items.map((item) => {
    // Three draws per item whether or not it gets a tail: which items get one does not move the rest.
    const picked = random() < share;
    const tail = tails[Math.floor(random() * tails.length)]!;
    const newline = random() < 0.5;
    return picked ? withTail(item, tail, newline) : item;
  });
}

/** Every item with one opener drawn from `openers` before its first post: the same items, openers and seed give the same result. */
export function withOpeners(items: readonly CorpusItem[], openers: readonly string[], seed: number): CorpusItem[] {
  const random = mulberry32(seed ^ 0x6a09e667);
  return items.map((item) => prepended(item, openers[Math.floor(random() * openers.length)]!));
}
