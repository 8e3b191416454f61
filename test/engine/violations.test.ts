import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Post } from '../../engine/detectors/detector.js';
import { compilePack, evaluate, type ResolvedPack } from '../../engine/index.js';
import { MAX_REPORTED_PER_CHECK_AND_POST, sanitize, type SanitizingEdit } from '../../engine/violations.js';

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

describe('report: a check\'s violations and edits are sets', () => {
  const base = { severity: 'block' as const, category: 'tos' as const, suggestedFix: 'fix', required_edit: { action: 'delete' as const } };
  const spec = (message: string) =>
    ({
      id: 'sets',
      version: '1.0.0',
      description: '',
      defaults: { platform: 'x', thread_split: 'none' },
      lexicons: {},
      // Two rules of one set on the same words, as a scam promise and its call to act both read "link in bio".
      phrases: { p: { rules: [{ id: 'lure', signal: 'lure', match: 'link in bio' }, { id: 'act', signal: 'act', match: 'link in bio' }, { id: 'promise', match: 'guaranteed returns' }] } },
      checks: [{ ...base, id: 'scam', code: 'SCAM', message, detector: { type: 'phrase', phrases: ['p'] } }],
    }) as unknown as ResolvedPack;

  it('reports two findings that render alike once, and every different one', async () => {
    const pack = await compilePack(spec('Lure ("{{evidence}}").'));
    const decision = await evaluate(pack, { content: 'guaranteed returns, link in bio. Again: link in bio' });
    const spans = (list: readonly { span?: [number, number] }[]) => list.map((v) => v.span);
    expect(spans(decision.violations)).toEqual([[0, 18], [20, 31], [40, 51]]);
    expect(spans(decision.required_edits)).toEqual([[0, 18], [20, 31], [40, 51]]);
  });

  it('keeps findings on the same words whose messages differ, and their one edit once', async () => {
    const pack = await compilePack(spec('Rule {{rule}}.'));
    const decision = await evaluate(pack, { content: 'link in bio' });
    expect(decision.violations.map((v) => [v.message, v.span])).toEqual([['Rule lure.', [0, 11]], ['Rule act.', [0, 11]]]);
    expect(decision.required_edits.map((e) => [e.action, e.span])).toEqual([['delete', [0, 11]]]);
  });

  it('counts different violations towards the cap per post, not repeats', async () => {
    const pack = await compilePack({ ...spec('Lure ("{{evidence}}").'), checks: spec('Lure.').checks.map((c) => ({ ...c, sanitize: 'mask' })) } as ResolvedPack);
    const content = Array.from({ length: MAX_REPORTED_PER_CHECK_AND_POST + 5 }, () => 'link in bio').join(' ');
    const decision = await evaluate(pack, { content });
    expect(decision.violations).toHaveLength(MAX_REPORTED_PER_CHECK_AND_POST);
    expect(new Set(decision.violations.map((v) => v.span![0])).size).toBe(MAX_REPORTED_PER_CHECK_AND_POST);
    // Every finding is masked all the same, past the cap too.
    expect(decision.sanitized[0]).not.toContain('link');
    expect(decision.sanitized[0]).toContain('l*** ** **o');
  });
});
