/**
 * Leetspeak written with two or more symbols per letter (`|3!tch`, `|<ill`, `c()ck`, `f|_|ck`):
 * each sequence becomes one letter unit that spans its symbols, so that the passes after it
 * (single-symbol leetspeak, censoring, joining) and the match's span see one letter. Only
 * tokens that hold a sequence's first symbol get here.
 */
import * as codePoints from './code-points.js';
import * as revelations from './revelations.js';
import * as scratch from './units.js';

const { ENCLOSED_SEQUENCES, LEET, LEET_SEQUENCES, LETTER, OTHER, SEQUENCE_START } = codePoints;
const { REVEAL } = revelations;
const { units } = scratch;

interface Sequence {
  codes: number[];
  letter: number;
  /** Parentheses: a letter must be on both sides (`print()` is code, `c()ck` a word). */
  enclosed: boolean;
}

const SEQUENCES: readonly Sequence[] = LEET_SEQUENCES.map(([symbols, letter]) => ({
  codes: [...symbols].map((c) => c.charCodeAt(0)),
  letter: letter.charCodeAt(0),
  enclosed: ENCLOSED_SEQUENCES.has(symbols),
}));

/**
 * Replaces the sequences in units [from, to) by one letter each, moving the units after them
 * (up to `n`) down. Returns how many units were removed.
 */
export function joinLeetSequences(from: number, to: number, n: number): number {
  const u = units;
  let w = from;
  let end = to;
  for (let r = from; r < n; ) {
    const s = r < end ? sequenceAt(r, end, w) : undefined;
    if (s !== undefined) {
      const last = r + s.codes.length - 1;
      u.cp[w] = s.letter;
      u.kind[w] = LETTER;
      u.st[w] = u.st[r]!;
      u.en[w] = u.en[last]!;
      u.fl[w] = u.fl[r]! | REVEAL.leetspeak;
      r = last + 1;
      w++;
      continue;
    }
    if (w !== r) {
      u.cp[w] = u.cp[r]!;
      u.kind[w] = u.kind[r]!;
      u.st[w] = u.st[r]!;
      u.en[w] = u.en[r]!;
      u.fl[w] = u.fl[r]!;
    } else if (r >= end) {
      return r - w; // nothing moved and past the token: done
    }
    r++;
    w++;
  }
  return n - w;
}

/** The sequence written at unit r (unit w is where its letter would go), when a letter is beside it. */
function sequenceAt(r: number, end: number, w: number): Sequence | undefined {
  const u = units;
  const first = u.cp[r]!;
  if (first >= 128 || SEQUENCE_START[first] === 0) return undefined;
  for (const s of SEQUENCES) {
    if (s.codes[0] !== first || r + s.codes.length > end) continue;
    let k = 1;
    while (k < s.codes.length && u.cp[r + k] === s.codes[k] && u.kind[r + k] === OTHER) k++;
    if (k < s.codes.length) continue;
    const before = w > 0 && u.kind[w - 1] === LETTER;
    const after = letterLike(r + k, end);
    if (s.enclosed ? before && after : before || after) return s;
  }
  return undefined;
}

/** A letter, a leetspeak symbol or the start of another sequence: what may follow a sequence in a word. */
function letterLike(k: number, end: number): boolean {
  if (k >= end) return false;
  const cp = units.cp[k]!;
  return units.kind[k] === LETTER || (cp < 128 && (LEET[cp] !== 0 || SEQUENCE_START[cp] !== 0));
}
