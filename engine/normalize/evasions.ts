/**
 * The passes that undo an evasion over a post's units, in place: leetspeak digits and symbols
 * become letters, censoring symbols written against a letter are marked, and spaced-out
 * letters are joined into one word.
 */
import * as codePoints from './code-points.js';
import { joinLeetSequences } from './leet-sequences.js';
import * as revelations from './revelations.js';
import * as scratch from './units.js';

// Bound here rather than read through the imports: V8 reads an imported binding from the
// exporting module's cell, with a TDZ check, at each use, and these are read per unit
// (normalizeForMatching took a third longer with them imported into its loops).
const { AMPERSAND, CENSOR, CENSOR_WIDTH, LEET, LETTER, OTHER, SEPARATORS, SEQUENCE_START, SKIP, SPACE, WORD_LEET } = codePoints;
const { REVEAL } = revelations;
const { units } = scratch;

/**
 * Inside whitespace-delimited tokens that hold a real letter, map leet digits/symbols to letters,
 * multi-symbol ones (`|3`, `()`) first. Returns the unit count, which those make smaller.
 */
export function applyLeetspeak(n: number): number {
  const u = units;
  let i = 0;
  while (i < n) {
    if (u.kind[i] === SPACE) {
      i++;
      continue;
    }
    let end = i;
    let hasLetter = false;
    let hasLeet = false; // most words hold no leet char: skip the two passes below
    let hasSequence = false;
    for (; end < n && u.kind[end] !== SPACE; end++) {
      if (u.kind[end] === LETTER) {
        hasLetter = true;
        continue;
      }
      const cp = u.cp[end]!;
      if (cp >= 128) continue;
      if (LEET[cp] !== 0) hasLeet = true;
      else if (SEQUENCE_START[cp] !== 0) hasSequence = true;
    }
    if (hasSequence) {
      const removed = joinLeetSequences(i, end, n);
      end -= removed;
      n -= removed;
      hasLetter ||= removed > 0;
    }
    if (!hasLetter && hasLeet && end - i >= 3) hasLetter = onlyAtAndDollar(i, end);
    // Unconditional digits and `$` first, so that `@$$` and `sh!7` see letters after `@` and `!`.
    if (hasLetter && hasLeet && !isOrdinal(i, end)) for (let pass = 0; pass < 2; pass++) for (let k = i; k < end; k++) leetAt(k, end, pass === 0);
    i = end;
  }
  return n;
}

/**
 * `@$$`: a word written with no letter at all, only `@` first and then `$` (and `@`), is read as
 * leetspeak; other all-symbol words are numbers, prices, emphasis or a grawlix (`$$$`, `!!!`, `#@$%`).
 */
function onlyAtAndDollar(from: number, to: number): boolean {
  const u = units;
  while (to > from && PUNCTUATION.has(u.cp[to - 1]!)) to--; // `@$$,` `@$$!`
  if (u.cp[from] === 0x28 || u.cp[from] === 0x22) from++; // `(@$$` `"@$$`
  if (u.cp[from] !== AT) return false;
  let dollar = false;
  for (let k = from + 1; k < to; k++) {
    const cp = u.cp[k]!;
    if (cp === DOLLAR) dollar = true;
    else if (cp !== AT) return false;
  }
  return dollar;
}

const PUNCTUATION = new Set([...'.,;:!?)"\''].map((c) => c.charCodeAt(0)));
const AT = 0x40;
const DOLLAR = 0x24;

/** Digits and then st, nd, rd, th or s, punctuation after: `71st`, `4th,`, `1990s`: a number, not leetspeak. */
function isOrdinal(from: number, to: number): boolean {
  const u = units;
  let k = from;
  while (k < to && isAsciiDigit(u.cp[k]!)) k++;
  if (k === from) return false;
  let letters = '';
  for (; k < to && u.kind[k] === LETTER && letters.length < 3; k++) letters += String.fromCharCode(u.cp[k]! | 0x20);
  if (!ORDINAL_SUFFIXES.has(letters)) return false;
  for (; k < to; k++) if (u.kind[k] === LETTER || isAsciiDigit(u.cp[k]!)) return false;
  return true;
}

const isAsciiDigit = (c: number): boolean => c >= 48 && c <= 57;

const ORDINAL_SUFFIXES = new Set(['st', 'nd', 'rd', 'th', 's']);

function leetAt(k: number, tokenEnd: number, unconditional: boolean): void {
  const u = units;
  const cp = u.cp[k]!;
  if (u.kind[k] !== OTHER || cp >= 128) return;
  let to = LEET[cp]!;
  if (unconditional !== to > 0) return;
  if (to < 0) to = k + 1 < tokenEnd && (u.kind[k + 1] === LETTER || isWordLeet(k + 1)) ? -to : 0;
  if (to === 0) return;
  u.cp[k] = to;
  u.kind[k] = LETTER;
  u.fl[k] |= REVEAL.leetspeak;
}

/** `+` or `<`, which stand for a letter only in a word that then spells a lexicon form (`sh!+`). */
function isWordLeet(k: number): boolean {
  const cp = units.cp[k]!;
  return units.kind[k] === OTHER && cp < 128 && WORD_LEET[cp] !== 0;
}

function isCensorSymbol(k: number): boolean {
  const u = units;
  if (u.kind[k] !== OTHER) return false;
  const cp = u.cp[k]!;
  return CENSOR_WIDTH.has(cp) || (cp < 128 && WORD_LEET[cp] !== 0);
}

/**
 * Runs of censoring symbols written against a letter (no whitespace between) become
 * CENSOR units: inside a word (`f*ck`) or at its end (`f***`). A run before a word's
 * first letter is not one (`*it*` is emphasis; `**note**` is Markdown). `+` and `<` join
 * such runs as the letters they stand for (`sh!+`, `fu<k`).
 */
export function markCensors(n: number, text: string): void {
  const u = units;
  let k = 0;
  while (k < n) {
    // Inline for the common case, a letter or a space (this runs per unit).
    if (u.kind[k] !== OTHER || !isCensorSymbol(k)) {
      k++;
      continue;
    }
    let end = k;
    while (end < n && isCensorSymbol(end)) end++;
    if (k > 0 && u.kind[k - 1] === LETTER && !(end - k === 1 && isAbbreviationJoint(text, n, k))) {
      for (let j = k; j < end; j++) u.kind[j] = CENSOR;
    }
    k = end;
  }
}

/**
 * One symbol that joins rather than censors: a lone `&` (`AT&T`, `T&Cs`), one symbol between
 * two capitals that stand alone (`J-R`, `P&P`, `S*S`), which are abbreviations, or one symbol
 * next to a digit as written (`4-H`, `$28-35`, `B-52`): codes and ranges, not a censored word
 * (the digit would have to be leetspeak and the symbol a censor at once).
 */
function isAbbreviationJoint(text: string, n: number, k: number): boolean {
  if (units.cp[k] === AMPERSAND) return true;
  if (writtenAs(text, k - 1, DIGITS) || (k + 1 < n && writtenAs(text, k + 1, DIGITS))) return true;
  return writtenAs(text, k - 1, CAPITALS) && !isLetterUnit(n, k - 2) && isLetterUnit(n, k + 1) && writtenAs(text, k + 1, CAPITALS) && !isLetterUnit(n, k + 2);
}

const DIGITS = [48, 57] as const;
const CAPITALS = [65, 90] as const;

/** Unit i is one ASCII char of `range` as written (hyphenated words reach here often: no closures). */
function writtenAs(text: string, i: number, range: readonly [number, number]): boolean {
  if (i < 0) return false;
  const c = text.charCodeAt(units.st[i]!);
  return c >= range[0] && c <= range[1] && units.en[i]! - units.st[i]! === 1;
}

function isLetterUnit(n: number, i: number): boolean {
  return i >= 0 && i < n && units.kind[i] === LETTER;
}

/**
 * `f u c k`, `f.u.c.k`, `f🔥u🔥c🔥k`, and a word written one letter per line (`f\nu\nc\nk`): chains of
 * ≥ 3 single letters, one separator apart (or emoji, or whitespace holding one line break), become
 * one word. Emoji count as a separator (`f🔥u`) or, with a space on each side, as a space
 * (`f 🔥 u`, so that `f u 😤 c k` is one chain).
 */
export function joinSpacedLetters(n: number): void {
  const u = units;
  const kind = u.kind;
  let i = 0;
  while (i < n) {
    // To the next single letter: past non-letters, and past words of two letters or more at once
    // (each `i` that gets here starts the text or follows a non-letter).
    if (kind[i] !== LETTER) {
      i++;
      continue;
    }
    if (i + 1 < n && kind[i + 1] === LETTER) {
      i += 2;
      while (i < n && kind[i] === LETTER) i++;
      continue;
    }
    // Spaces, punctuation and line breaks do not mix in one chain: in `a s-h-i-t` the word `a`
    // stays out, while `s_h*i|t` still joins.
    let next = gapEnd(i + 1, n);
    const mode = gap;
    let last = i;
    let count = 1;
    while (next > 0 && gap === mode && single(next, n)) {
      last = next;
      count++;
      next = gapEnd(last + 1, n);
    }
    if (count < 3) {
      i++;
      continue;
    }
    for (let k = i; k <= last; k++) {
      if (u.kind[k] === LETTER) u.fl[k] |= REVEAL.separators;
      else u.kind[k] = SKIP;
    }
    i = last + 1;
  }
}

const SPACED = 1;
const PUNCTUATED = 2;
const VERTICAL = 3;
/** The kind of the gap `gapEnd` last read (a module variable: this runs per single letter). */
let gap = 0;
/** Whitespace a line-per-letter gap may hold around its one line break (`f \n u`). */
const MAX_VERTICAL_GAP = 6;

/** Index of the letter after the gap that starts at `at`, or -1 when it is no chain's gap. */
function gapEnd(at: number, n: number): number {
  const u = units;
  if (at + 1 >= n || u.kind[at] === LETTER) return -1;
  const cp = u.cp[at]!;
  if (SEPARATORS.has(cp) && u.kind[at + 1] === LETTER) {
    gap = cp === 0x20 ? SPACED : PUNCTUATED;
    return at + 1;
  }
  const emoji = emojiGapEnd(at, n);
  if (emoji > 0) return emoji;
  let breaks = 0;
  let k = at;
  for (; k < n && k - at < MAX_VERTICAL_GAP && u.kind[k] === SPACE; k++) if (u.cp[k] === 0x0a || (u.cp[k] === 0x0d && u.cp[k + 1] !== 0x0a)) breaks++;
  if (breaks !== 1 || k >= n || u.kind[k] !== LETTER) return -1;
  gap = VERTICAL;
  return k;
}

/** Emoji and pictographs (U+1F000–U+1FAFF, U+2600–U+27BF): what people put between the letters of a word. */
const isPictograph = (cp: number): boolean => (cp >= 0x1f000 && cp <= 0x1faff) || (cp >= 0x2600 && cp <= 0x27bf);

/** `gapEnd` for a run of emoji between two letters, with no space on either side or one on each; -1 for any other gap. */
function emojiGapEnd(at: number, n: number): number {
  const cp = units.cp;
  const spaced = cp[at] === 0x20;
  let k = spaced ? at + 1 : at;
  if (k >= n || !isPictograph(cp[k]!)) return -1;
  while (k < n && isPictograph(cp[k]!)) k++;
  if (spaced) {
    if (k >= n || cp[k] !== 0x20) return -1;
    k++;
  }
  if (k >= n || units.kind[k] !== LETTER) return -1;
  gap = spaced ? SPACED : PUNCTUATED;
  return k;
}

/** A letter standing alone between non-letters. */
function single(k: number, n: number): boolean {
  const kind = units.kind;
  return kind[k] === LETTER && (k === 0 || kind[k - 1] !== LETTER) && (k === n - 1 || kind[k + 1] !== LETTER);
}
