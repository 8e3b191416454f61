/** `fuck` → `f**k`; short words are masked whole. Separators inside stay visible. */
export function mask(text: string): string {
  const chars = Array.from(text);
  if (chars.length <= 2) return '*'.repeat(chars.length);
  return chars.map((c, i) => (i === 0 || i === chars.length - 1 || /[\s.\-_]/u.test(c) ? c : '*')).join('');
}
