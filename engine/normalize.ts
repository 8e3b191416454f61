/**
 * Evasion-resistant matching view of a post: folds accents, invisible
 * characters, homoglyphs, leetspeak, spaced-out letters and repeated letters,
 * while keeping, per output char, where it came from in the original text so
 * that findings point at what the author actually wrote.
 */
import { collapse } from './normalize/collapse.js';
import { applyLeetspeak, joinSpacedLetters, markCensors } from './normalize/evasions.js';
import { LEET_CANDIDATE } from './normalize/code-points.js';
import { expand, units } from './normalize/units.js';

export interface NormalizedText {
  /** Matching view: lowercased letters; each run of non-letters is ONE space; repeats collapsed; no leading/trailing space. */
  text: string;
  /** Per UTF-16 unit of `text`: start offset (UTF-16) in the original post text. */
  start: Int32Array;
  /** Per UTF-16 unit of `text`: end offset (exclusive) in the original post text. */
  end: Int32Array;
  /** Per UTF-16 unit of `text`: how many original letters were collapsed into it (≥ 1; 0 for spaces). */
  runs: Uint16Array;
  /** Per UTF-16 unit of `text`: bitmask of REVEAL bits (letters) or SENTENCE_BREAK (spaces). */
  flags: Uint8Array;
  /**
   * Self-censoring symbols written against letters (`f*ck`, `a**hole`, `f***`), in text
   * order; absent when there are none. In `text` they are ordinary word breaks.
   */
  censors?: CensorRun[];
}

/** A run of censoring symbols (`*`, `#`, `…`, …) inside or at the end of a word. */
export interface CensorRun {
  /** Index in `text`: the space that stands for the run, or the word's end for a trailing run. */
  at: number;
  /** Letters the run may stand for: at least `min`, at most `max` (`…` counts three). */
  min: number;
  max: number;
  /** The letters a run of `+` and `<` stands for (`sh!+`, `fu<k`): leetspeak, read only in a whole word. */
  letters?: string;
  /** True when letters follow the run in the same word (`f*ck`); false for `f***`. */
  inner: boolean;
  /** Holds a symbol that joins words as often as it censors (`-`, dashes, `_`, `…`, `·`): never read in a compound (`s-tier`, `marcus_t`). */
  joiner: boolean;
  /** [start, end) of the symbols in the original text. */
  start: number;
  end: number;
}

export function normalizeForMatching(text: string): NormalizedText {
  let n = expand(text);
  // A pass with no candidate in the post would change nothing (expand notes them; a property test holds the skip to the full pipeline).
  const candidates = units.candidates;
  if ((candidates & LEET_CANDIDATE) !== 0) n = applyLeetspeak(n);
  if (candidates !== 0) markCensors(n, text);
  joinSpacedLetters(n);
  return collapse(n);
}

/** Same pipeline for a lexicon term, so terms and posts meet in one form. */
export function normalizeTerm(term: string): { text: string; runs: number[] } {
  const n = normalizeForMatching(term);
  return { text: n.text, runs: Array.from(n.runs) };
}
