/**
 * The example text of a diff row: the item's content with the findings of
 * either pack masked where they are harmful to read, cut to a window around
 * the first changed finding.
 */
import { mask, type EngineDecision, type Violation } from '../index.js';

/**
 * Categories whose matched text is masked in examples: a PR comment must not
 * repeat slurs, threats or self-harm statements. TOS, format and provenance
 * spans (prize bait, thread labels, long lines, statistical claims) are not
 * harmful to read, and masking them would hide exactly what the reviewer
 * needs to judge the change.
 */
const MASKED_CATEGORIES = new Set<Violation['category']>(['profanity', 'harmful']);
const POST_SEPARATOR = ' ¶ ';

/** Masks the spans reported by either pack, then cuts a window around the first changed finding. */
export function maskedExample(content: string | string[], decisions: EngineDecision[], changed: Set<string>, length = 80): string {
  const texts = typeof content === 'string' ? [content] : content;
  const all = decisions.flatMap((d) => [...d.violations, ...d.warnings]);
  // Spans point into the caller's string (string content) or into content[post] (array content).
  const textIndex = (v: Violation) => (typeof content === 'string' ? 0 : v.post);
  const masked = texts.map((text, i) =>
    maskSpans(
      text,
      all.filter((v) => v.span && MASKED_CATEGORIES.has(v.category) && textIndex(v) === i).map((v) => v.span!),
    ),
  );
  const focusViolation = all.find((v) => v.span && changed.has(v.code));
  let focus: number | undefined;
  if (focusViolation) {
    const i = textIndex(focusViolation);
    focus = masked.slice(0, i).reduce((sum, t) => sum + t.length + POST_SEPARATOR.length, 0) + focusViolation.span![0];
  }
  return excerpt(masked.join(POST_SEPARATOR), focus, length);
}

/** Masks each span (overlapping spans merged first, so that mask() sees one word group). */
function maskSpans(text: string, spans: [number, number][]): string {
  const merged = mergeSpans(spans.map(([s, e]) => [Math.max(0, s), Math.min(text.length, e)] as [number, number]).filter(([s, e]) => e > s));
  let out = text;
  for (const [start, end] of merged.reverse()) out = out.slice(0, start) + mask(out.slice(start, end)) + out.slice(end);
  return out;
}

function mergeSpans(spans: [number, number][]): [number, number][] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

/** A window of about `length` characters, starting a little before `focus`, whitespace collapsed. */
function excerpt(text: string, focus: number | undefined, length: number): string {
  const lead = Math.floor(length / 4);
  let start = focus !== undefined && focus > length - lead ? focus - lead : 0;
  let end = Math.min(text.length, start + length);
  if (end - start < length) start = Math.max(0, end - length);
  // Prefer cutting at a space close by, and never cut a surrogate pair in half.
  if (start > 0) start = nearSpace(text, start, 1, focus ?? end);
  if (end < text.length) end = nearSpace(text, end, -1, start);
  if (start > 0 && isLowSurrogate(text.charCodeAt(start))) start++;
  if (end < text.length && isLowSurrogate(text.charCodeAt(end))) end--;
  const body = text.slice(start, end).replace(/\s+/gu, ' ').trim();
  return `${start > 0 ? '…' : ''}${body}${end < text.length ? '…' : ''}`;
}

/** The first whitespace within 12 units of `at` in `step` direction, not crossing `limit`; else `at`. */
function nearSpace(text: string, at: number, step: 1 | -1, limit: number): number {
  for (let i = at, n = 0; n < 12 && (step > 0 ? i < limit : i > limit); i += step, n++) {
    if (/\s/u.test(text[i]!)) return step > 0 ? i + 1 : i;
  }
  return at;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
