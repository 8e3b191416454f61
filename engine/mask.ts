/** Characters a mask leaves visible inside a match (separators), as a negated class: the rest become `*`. */
const MASKED = /[^\s.\-_]/gu;

/** `fuck` → `f**k`; short words are masked whole. Separators inside stay visible. */
export function mask(text: string): string {
  const chars = Array.from(text);
  if (chars.length <= 2) return '*'.repeat(chars.length);
  // One replace over the middle (code point by code point, as the `u` flag reads it) instead of a
  // test per character: a violation's evidence, edit and sanitized text each need the mask.
  const first = chars[0]!;
  const last = chars[chars.length - 1]!;
  return first + text.slice(first.length, text.length - last.length).replace(MASKED, '*') + last;
}
