/**
 * The words a pattern cannot match without: a prefilter, so that a pack's pattern sets run only
 * on posts that contain what one of their patterns needs (RE2's FilteredRE2 does the same). re2js
 * builds a prefilter of its own, but none for a case-insensitive literal, and the pack's patterns
 * are nearly all case-insensitive.
 *
 * `requiredLiterals` reads RE2 syntax and answers a conjunction of alternatives: every match
 * contains, for each list, at least one of its strings, compared in lower case (`foldForLiterals`).
 * Only ASCII literals and caseless symbols (emoji, arrows: re2-reader.ts `caseless`) are kept:
 * their case-insensitive matches are exactly what lower-casing finds, once the two non-ASCII
 * members of ASCII letters' case orbits are folded (U+212A KELVIN SIGN lower-cases to `k` by
 * itself; U+017F LONG S does not). Anything the reader does not know
 * answers "no requirement", never a wrong one: a pattern then runs on every post, as before.
 */

import { frequency } from '../phrases/common-words.js';
import type { DetectionInput, Post } from './detector.js';
import { readRe2, type Node } from './re2-reader.js';

/** Strings a concatenation's exact set may grow to (cross products grow fast). */
const MAX_EXACT = 16;
/** Alternatives kept per list: a list of more strings says less and costs more to look for. */
const MAX_ALTERNATIVES = 32;
/** A list with a shorter string (a letter, a digit) is in nearly every post: not worth checking. A lone `#` or `=` is kept. */
const MIN_LITERAL = 2;
/** Lists kept per pattern (the most selective): each costs a look-up per post. A fourth spares the bench's post with violations a set pass. */
const MAX_LISTS = 4;

/**
 * The lists of strings (lower-case ASCII, or caseless symbols) of which every match of `source`
 * contains at least one string each; `[]` when nothing is required or the syntax is not
 * understood. A pattern that matches case-sensitively throughout (`flags` without `i`, no `(?i`
 * in it) keeps its literals' case: one with an upper-case letter (`OF`) is looked for in the
 * text as written (`caseSensitive`).
 */
export function requiredLiterals(source: string, flags = 'i'): string[][] {
  const node = readFor(source, flags);
  if (!node) return [];
  const { exact, need } = infoOf(node);
  return worthLooking(exact ? needOf(exact) : need).sort(bySelectivity).slice(0, MAX_LISTS);
}

/**
 * Lists of `requiredLiterals`' kind with a count: every match holds strings of the list at
 * `count` or more positions, from a repetition of at least `count` copies (`(#\w+\s*){10,}`),
 * each copy holding one in a substring of its own. A post with fewer cannot match.
 */
export function countedLiterals(source: string, flags = 'i'): { list: string[]; count: number }[] {
  const node = readFor(source, flags);
  return node ? countedOf(node).filter(({ list }) => worthLooking([list]).length > 0) : [];
}

function countedOf(node: Node): { list: string[]; count: number }[] {
  if (node.kind === 'concat') return node.items.flatMap(countedOf);
  if (node.kind !== 'repeat' || node.min < 2) return node.kind === 'repeat' && node.min === 1 ? countedOf(node.item) : [];
  const { exact, need } = infoOf(node.item);
  return (exact ? needOf(exact) : need).map((list) => ({ list, count: node.min }));
}

/** The syntax tree as `requiredLiterals` reads it (case kept for a pattern case-sensitive throughout); undefined when not understood. */
function readFor(source: string, flags: string): Node | undefined {
  try {
    return readRe2(source, !flags.includes('i') && !/\(\?[a-zA-Z-]*i/.test(source)).node;
  } catch {
    return undefined;
  }
}

function worthLooking(lists: string[][]): string[][] {
  return lists.filter((list) => list.every((s) => s.length >= MIN_LITERAL || /^[^a-z0-9\s]$/.test(s)));
}

/**
 * The strings (as `requiredLiterals` gives them) one of which every match of `source` starts
 * with; undefined when the reader cannot tell (a class or an optional part first, syntax it
 * does not know). A match can only start where the lower-cased text has one of them.
 */
export function leadingLiterals(source: string): string[] | undefined {
  let lead: string[] | undefined;
  try {
    lead = leadOf(readRe2(source).node);
  } catch {
    return undefined;
  }
  return lead && lead.length <= MAX_ALTERNATIVES && !lead.includes('') ? distinct(lead) : undefined;
}

/** The text as the prefilter compares it: lower case, with U+017F (ſ, which RE2 folds with s) as `s`. */
export function foldForLiterals(text: string): string {
  const lower = text.toLowerCase();
  return lower.includes('ſ') ? lower.replaceAll('ſ', 's') : lower;
}

const FOLDED = {};

/** The post's text as `foldForLiterals` gives it, once per post and evaluation: the literal scan and the pattern checks' starts read it. */
export function foldedPost(input: DetectionInput, post: Post): string {
  const perPost = input.memo(FOLDED, () => new Array<string | undefined>(input.posts.length));
  return (perPost[post.index] ??= foldForLiterals(post.text));
}

/**
 * Whether the post holds, at `from` or later, a string of every list of `needs` (requiredLiterals
 * of a pattern): compared in `folded` (foldedPost, of the text's length), or in `text` for a
 * case-sensitive one. A match starting at `from` or later holds one of each list there.
 */
export function literalsFrom(text: string, folded: string, needs: readonly (readonly string[])[], from: number): boolean {
  for (const list of needs) {
    let found = false;
    for (const literal of list) {
      if ((caseSensitive(literal) ? text : folded).indexOf(literal, from) >= 0) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

/** Whether a literal of `requiredLiterals` is compared with the text as written (it has an upper-case letter). */
export function caseSensitive(literal: string): boolean {
  return /[A-Z]/.test(literal);
}

function leadOf(node: Node): string[] | undefined {
  switch (node.kind) {
    case 'literal':
      return [node.text];
    case 'alternate': {
      const leads = node.items.map(leadOf);
      return leads.every((lead) => lead !== undefined) ? leads.flat() : undefined;
    }
    case 'repeat':
      return node.min > 0 ? leadOf(node.item) : undefined;
    case 'concat':
      return concatLead(node.items);
    default:
      return undefined;
  }
}

/** The exact strings the items begin with (zero-width items read as ''), extended while they stay few. */
function concatLead(items: readonly Node[]): string[] | undefined {
  let run = [''];
  for (const item of items) {
    const { exact } = infoOf(item);
    if (exact && run.length * exact.length <= MAX_EXACT) {
      run = distinct(run.flatMap((a) => exact.map((b) => a + b)));
      continue;
    }
    if (run.length === 1 && run[0] === '') return leadOf(item);
    return run.includes('') ? undefined : run;
  }
  return run;
}

// ---------------------------------------------------------------------------
// What a node requires: `exact` when it matches one of a few strings and nothing else (its
// strings are what a concatenation extends), and otherwise `need`, lists of alternatives that
// every match contains one of each.

interface Info {
  exact: string[] | null;
  need: string[][];
}

function infoOf(node: Node): Info {
  switch (node.kind) {
    case 'literal':
      return { exact: [node.text], need: [] };
    case 'char':
      return { exact: null, need: [] };
    case 'empty':
      return { exact: [''], need: [] };
    case 'concat':
      return concatInfo(node.items.map(infoOf));
    case 'alternate':
      return alternateInfo(node.items.map(infoOf));
    case 'repeat':
      return repeatInfo(infoOf(node.item), node.min, node.max);
  }
}

function concatInfo(items: Info[]): Info {
  const need: string[][] = [];
  let run: string[] = [''];
  let whole = true;
  for (const item of items) {
    if (item.exact && run.length * item.exact.length <= MAX_EXACT) {
      run = distinct(run.flatMap((a) => item.exact!.map((b) => a + b)));
      continue;
    }
    whole = false;
    need.push(...needOf(run));
    if (item.exact) run = item.exact;
    else {
      need.push(...item.need);
      run = [''];
    }
  }
  if (whole) return { exact: run, need: [] };
  need.push(...needOf(run));
  return { exact: null, need };
}

function alternateInfo(items: Info[]): Info {
  if (items.every((item) => item.exact)) {
    const union = distinct(items.flatMap((item) => item.exact!));
    if (union.length <= MAX_EXACT) return { exact: union, need: [] };
  }
  // Each branch contributes its most selective list; a branch that needs nothing makes the whole need nothing.
  const lists: string[] = [];
  for (const item of items) {
    const best = (item.exact ? needOf(item.exact) : item.need).sort(bySelectivity)[0];
    if (!best) return { exact: null, need: [] };
    lists.push(...best);
  }
  const union = distinct(lists);
  return { exact: null, need: union.length <= MAX_ALTERNATIVES ? [union] : [] };
}

function repeatInfo(item: Info, min: number, max: number): Info {
  if (min === 0) return { exact: max === 1 && item.exact ? distinct([...item.exact, '']) : null, need: [] };
  if (min === 1 && max === 1) return item;
  return { exact: null, need: item.exact ? needOf(item.exact) : item.need };
}

/** An exact set as a requirement: none when it holds the empty string. */
function needOf(exact: string[]): string[][] {
  return exact.includes('') ? [] : [exact];
}

function distinct(strings: string[]): string[] {
  return [...new Set(strings)];
}

function shortest(list: readonly string[]): number {
  return list.reduce((min, s) => Math.min(min, s.length), Infinity);
}

/** Rarer first: by its most frequent string in ordinary posts, then by its shortest string (longer first), then fewer alternatives. */
function bySelectivity(a: readonly string[], b: readonly string[]): number {
  return commonest(a) - commonest(b) || shortest(b) - shortest(a) || a.length - b.length;
}

/** How frequent the list's most frequent string is in ordinary posts (common-words.ts ranks words with repeated letters folded). */
function commonest(list: readonly string[]): number {
  return list.reduce((max, s) => Math.max(max, frequency(s.replace(/(.)\1+/g, '$1'))), 0);
}
