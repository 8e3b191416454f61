/**
 * The passes that undo an evasion over a post's units, in place: leetspeak digits and symbols
 * become letters, censoring symbols written against a letter are marked, and spaced-out
 * letters are joined into one word.
 */
import * as codePoints from './code-points.js';
import { joinLeetSequences } from './leet-sequences.js';
import * as revelations from './revelations.js';
import * as scratch from './units.js';

export { joinSpacedLetters } from './spaced-letters.js';

// Bound here rather than read through the imports: V8 reads an imported binding from the
// exporting module's cell, with a TDZ check, at each use, and these are read per unit
// (normalizeForMatching took a third longer with them imported into its loops).
const { AMPERSAND, CENSOR, CENSOR_WIDTH, LEET, LETTER, OTHER, SEQUENCE_START, SPACE, WORD_LEET } = codePoints;
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
