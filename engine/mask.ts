/** Characters a mask leaves visible inside a match: separators. */
const SEPARATOR = /[\s.\-_]/u;

/** `fuck` → `f**k`; short words are masked whole. Separators inside stay visible. */
export function mask(text: string): string {
  // Code points, not UTF-16 units: an emoji is one masked character. One loop and one shared
  // regular expression: `replace` with a global `u` expression cost ~2 µs per match in the
  // evaluate path (a violation's evidence, edit and sanitized text all use this mask).
  const chars = Array.from(text);
  const last = chars.length - 1;
  if (chars.length <= 2) return '*'.repeat(chars.length);
  let out = chars[0]!;
  for (let i = 1; i < last; i++) {
    const c = chars[i]!;
    out += c === ' ' || SEPARATOR.test(c) ? c : '*';
  }
  return out + chars[last]!;
}
