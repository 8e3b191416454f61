import type { Post } from './detectors/detector.js';
import { opensWithThreadLabel } from './detectors/numbering-labels.js';

export type SplitMode = 'auto' | 'none' | 'separator';

export interface SplitOptions {
  /** `auto`: numbered paragraphs, else `---` lines, else one post; `separator`: split on `separator`. */
  split: SplitMode;
  /** The literal string that separates posts in `separator` mode. */
  separator?: string;
}

interface Range {
  start: number;
  end: number;
}

const BLANK = /^\s*$/;
const SEPARATOR_LINE = '---';
const WHITESPACE = /\s/;
/** A blank line after a line: what two paragraphs need between them (BLANK's \s, lines split at \n). */
const PARAGRAPH_BREAK = /\n\s*\n/;

/**
 * Splits content into posts. Every post satisfies
 * `post.text === content.slice(post.offset, post.offset + post.text.length)`;
 * split posts lose only surrounding whitespace and the separators themselves;
 * unsplit content is one post exactly as sent.
 */
export function splitPosts(content: string | string[], opts: SplitOptions): Post[] {
  if (Array.isArray(content)) return content.map((text, index) => ({ index, text, offset: 0 }));
  const ranges = splitRanges(content, opts);
  // Unsplit content is one post exactly as sent; whitespace-only content still gives every detector a post.
  const posts = ranges.length === 1 ? [] : ranges.map((r) => trimRange(content, r)).filter((r) => r.end > r.start);
  if (posts.length === 0) return [{ index: 0, text: content, offset: 0 }];
  return posts.map((r, index) => ({ index, text: content.slice(r.start, r.end), offset: r.start }));
}

function splitRanges(content: string, opts: SplitOptions): Range[] {
  const whole = [{ start: 0, end: content.length }];
  switch (opts.split) {
    case 'none':
      return whole;
    case 'separator':
      if (!opts.separator) throw new Error('split "separator" needs a non-empty separator');
      return splitOn(content, opts.separator);
    case 'auto':
      return byNumberedParagraphs(content) ?? bySeparatorLines(content) ?? whole;
  }
}

function splitOn(content: string, separator: string): Range[] {
  const ranges: Range[] = [];
  let start = 0;
  for (let at = content.indexOf(separator); at !== -1; at = content.indexOf(separator, start)) {
    ranges.push({ start, end: at });
    start = at + separator.length;
  }
  ranges.push({ start, end: content.length });
  return ranges;
}

function lines(content: string): Range[] {
  const out: Range[] = [];
  let start = 0;
  for (let nl = content.indexOf('\n'); nl !== -1; nl = content.indexOf('\n', start)) {
    out.push({ start, end: nl });
    start = nl + 1;
  }
  out.push({ start, end: content.length });
  return out;
}

/**
 * Paragraphs are runs of non-blank lines; a post starts at each paragraph that
 * opens with a thread label (`1/`, `1/5`, `(1/5)`, `[1/5]`, `1.`).
 */
function byNumberedParagraphs(content: string): Range[] | undefined {
  // One paragraph at most (most posts): fewer than the two labelled ones a split needs.
  if (!PARAGRAPH_BREAK.test(content)) return undefined;
  const paragraphs: Range[] = [];
  let current: Range | undefined;
  for (const line of lines(content)) {
    if (BLANK.test(content.slice(line.start, line.end))) {
      current = undefined;
    } else if (current) {
      current.end = line.end;
    } else {
      paragraphs.push((current = { ...line }));
    }
  }
  const labelled = paragraphs.map((p) => opensWithThreadLabel(content.slice(p.start, p.end)));
  if (labelled.filter(Boolean).length < 2) return undefined;
  // Unlabelled paragraphs stay with the labelled post before them (a post may have several paragraphs).
  const posts: Range[] = [];
  paragraphs.forEach((p, i) => {
    const last = posts[posts.length - 1];
    if (labelled[i] || !last) posts.push({ ...p });
    else last.end = p.end;
  });
  return posts;
}

function bySeparatorLines(content: string): Range[] | undefined {
  if (!content.includes(SEPARATOR_LINE)) return undefined;
  const ranges: Range[] = [];
  let start = 0;
  for (const line of lines(content)) {
    const end = content.charCodeAt(line.end - 1) === 0x0d ? line.end - 1 : line.end;
    if (content.slice(line.start, end) !== SEPARATOR_LINE) continue;
    ranges.push({ start, end: line.start });
    start = Math.min(line.end + 1, content.length);
  }
  if (ranges.length === 0) return undefined;
  ranges.push({ start, end: content.length });
  return ranges;
}

function trimRange(content: string, { start, end }: Range): Range {
  while (start < end && WHITESPACE.test(content[start]!)) start++;
  while (end > start && WHITESPACE.test(content[end - 1]!)) end--;
  return { start, end };
}
