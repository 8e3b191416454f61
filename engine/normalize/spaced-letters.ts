/**
 * Spaced-out words joined (`f u c k`, `f.u.c.k`, `f🔥u🔥c🔥k`, one letter per line): a pass of the
 * matching view over the post's units (evasions.ts runs it with the others).
 */
import * as codePoints from './code-points.js';
import * as revelations from './revelations.js';
import * as scratch from './units.js';

// Bound here, not read through the imports, as in evasions.ts: these are read per unit.
const { LETTER, SEPARATORS, SKIP, SPACE } = codePoints;
const { REVEAL } = revelations;
const { units } = scratch;

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
