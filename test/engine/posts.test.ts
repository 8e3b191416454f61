import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { opensWithThreadLabel } from '../../engine/detectors/numbering-labels.js';
import { splitPosts } from '../../engine/posts.js';

/** Every post must be an exact slice of the caller's string. */
function expectExactSlices(content: string, posts: { text: string; offset: number }[]) {
  for (const p of posts) expect(content.slice(p.offset, p.offset + p.text.length)).toBe(p.text);
}

describe('splitPosts: auto', () => {
  it.each([
    ['slash labels', '1/ First point.\n\n2/ Second point.\n\n3/ Done.', ['1/ First point.', '2/ Second point.', '3/ Done.']],
    ['slash_total labels', '1/3 One\n\n2/3 Two\n\n3/3 Three', ['1/3 One', '2/3 Two', '3/3 Three']],
    ['paren labels', '(1/2) One\n\n(2/2) Two', ['(1/2) One', '(2/2) Two']],
    ['bracket labels', '[1/2] One\n\n[2/2] Two', ['[1/2] One', '[2/2] Two']],
    ['dot labels', '1. One\n\n2. Two', ['1. One', '2. Two']],
    ['CRLF and blank lines with spaces', '1/ One\r\n  \r\n2/ Two\r\n', ['1/ One', '2/ Two']],
    [
      'unlabelled paragraphs stay with the post before them',
      '1/ Hook.\n\nStill the hook.\n\n2/ Next.',
      ['1/ Hook.\n\nStill the hook.', '2/ Next.'],
    ],
    ['an unlabelled opener is its own post', 'A thread:\n\n1/ One\n\n2/ Two', ['A thread:', '1/ One', '2/ Two']],
    ['--- lines', 'First post\n---\nSecond post\n---\nThird', ['First post', 'Second post', 'Third']],
    ['--- with CRLF', 'First\r\n---\r\nSecond', ['First', 'Second']],
    ['one label is not a thread', '1/ only one\n\nplain paragraph', ['1/ only one\n\nplain paragraph']],
    ['dates are not labels', '1/5/2020 was a date\n\n2/6/2020 too', ['1/5/2020 was a date\n\n2/6/2020 too']],
    ['--- inside a line is not a separator', 'a --- b\nc', ['a --- b\nc']],
    ['numbering wins over ---', '1/ a\n---\nb\n\n2/ c', ['1/ a\n---\nb', '2/ c']],
  ])('%s', (_name, content, texts) => {
    const posts = splitPosts(content, { split: 'auto' });
    expect(posts.map((p) => p.text)).toEqual(texts);
    expect(posts.map((p) => p.index)).toEqual(texts.map((_, i) => i));
    expectExactSlices(content, posts);
  });

  it('gives exact offsets', () => {
    const content = '  1/ One\n\n2/ Two\n';
    expect(splitPosts(content, { split: 'auto' })).toEqual([
      { index: 0, text: '1/ One', offset: 2 },
      { index: 1, text: '2/ Two', offset: 10 },
    ]);
  });

  it('keeps a single post untouched, whitespace included', () => {
    const content = '  just one post \n';
    expect(splitPosts(content, { split: 'auto' })).toEqual([{ index: 0, text: content, offset: 0 }]);
  });

  it('drops empty posts between separators but keeps one post for empty content', () => {
    expect(splitPosts('---\nA\n---\n---\nB', { split: 'auto' }).map((p) => p.text)).toEqual(['A', 'B']);
    expect(splitPosts('', { split: 'auto' })).toEqual([{ index: 0, text: '', offset: 0 }]);
  });
});

describe('splitPosts: none and separator', () => {
  it('none keeps the whole string', () => {
    expect(splitPosts('1/ a\n\n2/ b', { split: 'none' })).toEqual([{ index: 0, text: '1/ a\n\n2/ b', offset: 0 }]);
  });

  it('separator splits on the literal string', () => {
    const content = 'one ||| two|||three';
    const posts = splitPosts(content, { split: 'separator', separator: '|||' });
    expect(posts).toEqual([
      { index: 0, text: 'one', offset: 0 },
      { index: 1, text: 'two', offset: 8 },
      { index: 2, text: 'three', offset: 14 },
    ]);
    expectExactSlices(content, posts);
  });

  it('separator mode needs a separator', () => {
    expect(() => splitPosts('a', { split: 'separator' })).toThrow(/non-empty separator/);
  });

  it('arrays are a thread as given, offsets 0', () => {
    expect(splitPosts([' a ', 'b'], { split: 'auto' })).toEqual([
      { index: 0, text: ' a ', offset: 0 },
      { index: 1, text: 'b', offset: 0 },
    ]);
  });
});

/**
 * `auto` as it was before its shortcuts (no blank line between lines: no numbered split; no `---`:
 * no separator split): every line read, every paragraph tested for a label.
 */
function splitByReading(content: string): string[] {
  const lines: [number, number][] = [];
  let start = 0;
  for (let nl = content.indexOf('\n'); nl !== -1; nl = content.indexOf('\n', start)) lines.push([start, (start = nl + 1) - 1]);
  lines.push([start, content.length]);
  const paragraphs: [number, number][] = [];
  let open = false;
  for (const [from, to] of lines) {
    if (/^\s*$/.test(content.slice(from, to))) open = false;
    else if (open) paragraphs[paragraphs.length - 1]![1] = to;
    else (paragraphs.push([from, to]), (open = true));
  }
  const labelled = paragraphs.map(([from, to]) => opensWithThreadLabel(content.slice(from, to)));
  let ranges: [number, number][] = [];
  if (labelled.filter(Boolean).length >= 2) {
    paragraphs.forEach((p, i) => (labelled[i] || ranges.length === 0 ? ranges.push([...p]) : (ranges[ranges.length - 1]![1] = p[1])));
  } else {
    let from = 0;
    for (const [lineFrom, lineTo] of lines) {
      const end = content.charCodeAt(lineTo - 1) === 0x0d ? lineTo - 1 : lineTo;
      if (content.slice(lineFrom, end) !== '---') continue;
      ranges.push([from, lineFrom]);
      from = Math.min(lineTo + 1, content.length);
    }
    if (ranges.length > 0) ranges.push([from, content.length]);
  }
  if (ranges.length <= 1) return [content];
  ranges = ranges.map(([from, to]) => [from + (content.slice(from, to).length - content.slice(from, to).trimStart().length), to - (content.slice(from, to).length - content.slice(from, to).trimEnd().length)]);
  const posts = ranges.filter(([from, to]) => to > from).map(([from, to]) => content.slice(from, to));
  return posts.length === 0 ? [content] : posts;
}

describe('splitPosts: auto shortcuts', () => {
  it('splits as reading every line and paragraph does (property)', () => {
    const piece = fc.constantFrom('1/ ', '2/3 ', '(1/5) ', '[2/5] ', '3. ', 'word', ' ', '\n', '\n\n', '\n \n', '\r\n', '\n\u2028\n', '\n\u00a0\n', '---', '\n---\n', '--', '\t');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }).map((a) => a.join('')), (content) => {
        expect(splitPosts(content, { split: 'auto' }).map((p) => p.text)).toEqual(splitByReading(content));
      }),
      { numRuns: 3000 },
    );
  });
});
