/**
 * What a match was revealed by: one bit per evasion that the matching view undid, carried per
 * char by `NormalizedText.flags` and reported as `revealed_by` on a finding.
 */
import type { Revelation } from '../decision.js';

/**
 * One bit per revelation. The first seven are per-char bits of `NormalizedText.flags`;
 * the others (≥ 256) are set by the lexicon matcher on a hit, never on a char.
 */
export const REVEAL = {
  accent: 1,
  'zero-width': 2,
  homoglyph: 4,
  leetspeak: 8,
  repeats: 16,
  separators: 32,
  case: 64,
  self_censoring: 256,
  phonetic: 512,
  spacing: 1024,
  compound: 2048,
} as const satisfies Record<Revelation, number>;

/**
 * Set on a space whose original non-letters hold a line break, or sentence
 * punctuation next to whitespace: multi-word phrases must not match across it.
 */
export const SENTENCE_BREAK = 128;

const REVELATIONS = Object.keys(REVEAL) as Revelation[];
/** Each revelation's bit, by its place in REVELATIONS: read by index, not by name from REVEAL. */
const BITS = REVELATIONS.map((r) => REVEAL[r]);

/**
 * The revelations whose bits `flags` holds, in REVEAL's order. Most matches reveal nothing: no
 * flag, an empty list at once (a lookup by name per revelation was ~80 ns a call, for ~20 phrase
 * and lexicon findings of the post with violations).
 */
export function revelationsOf(flags: number): Revelation[] {
  const out: Revelation[] = [];
  if (flags === 0) return out;
  for (let i = 0; i < BITS.length; i++) if ((flags & BITS[i]!) !== 0) out.push(REVELATIONS[i]!);
  return out;
}
