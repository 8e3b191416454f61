import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Post } from '../../engine/detectors/detector.js';
import { sanitize, type SanitizingEdit } from '../../engine/violations.js';

/** The rule as first written: right to left per post, one slice and concatenation per edit, an edit overlapping one applied skipped. */
function oneByOne(posts: Post[], edits: SanitizingEdit[]): string[] {
  const out = posts.map((p) => p.text);
  const sorted = [...edits].sort((a, b) => a.post - b.post || b.span[0] - a.span[0]);
  let lastPost = -1;
  let floor = Infinity;
  for (const { post, span, replacement } of sorted) {
    if (post !== lastPost) [lastPost, floor] = [post, Infinity];
    if (span[1] > floor) continue;
    out[post] = out[post]!.slice(0, span[0]) + replacement + out[post]!.slice(span[1]);
    floor = span[0];
  }
  return out;
}

const postsOf = (texts: string[]): Post[] => texts.map((text, index) => ({ index, text, offset: 0 }));

describe('sanitize', () => {
  it('masks spans right to left, keeping the rightmost of overlapping edits', () => {
    const edits: SanitizingEdit[] = [
      { post: 0, span: [4, 8], replacement: 'f**k' },
      { post: 0, span: [6, 10], replacement: 'XX' },
      { post: 1, span: [0, 0], replacement: '> ' },
    ];
    expect(sanitize(postsOf(['you fuck off', 'quote']), edits)).toEqual(['you fuXXff', '> quote']);
  });

  it('gives what applying each edit in turn gives, overlaps, insertions and several posts included', () => {
    const edit = fc
      .tuple(fc.nat(2), fc.nat(30), fc.nat(6), fc.string({ maxLength: 4 }))
      .map(([post, start, length, replacement]): SanitizingEdit => ({ post, span: [start, start + length], replacement }));
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 36, maxLength: 40 }), { minLength: 3, maxLength: 3 }), fc.array(edit, { maxLength: 25 }), (texts, edits) => {
        const posts = postsOf(texts);
        expect(sanitize(posts, edits.map((e) => ({ ...e })))).toEqual(oneByOne(posts, edits));
      }),
      { numRuns: 500 },
    );
  });
});
