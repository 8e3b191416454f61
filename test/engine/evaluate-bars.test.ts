import { describe, expect, it } from 'vitest';
import { compilePack, evaluate, type ResolvedPack } from '../../engine/index.js';
import type { CompiledPack } from '../../engine/compile.js';

/**
 * A barred check whose facts another check's condition reads (compile-bars.ts, `barReaders`):
 * `x` (bar: scores.ma >= 1) is read by `r` (bar: scores.mb >= 1; fires on "bar" unless `x`
 * found "foo"), itself read by `w` (no detector, no bar), so that `r` is always detected. `x`
 * may be skipped only when `r` cannot fire: its own bar fails, or it found nothing and is not
 * run. Each case is decided as `explain` decides it (no bars there).
 */
const base = { severity: 'block' as const, category: 'tos' as const, message: '{{evidence}}', suggestedFix: 'fix', required_edit: { action: 'review' as const } };
const never = { bias: 0, threshold: 100 };
const spec = {
  id: 'bars',
  version: '1.0.0',
  description: '',
  defaults: { platform: 'x', thread_split: 'none' },
  lexicons: { words: { terms: ['bar'], allow: [] } },
  phrases: { p: { rules: [{ id: 'foo', match: 'foo' }] } },
  models: { a: { label: 'a', ...never, features: { 'w:alpha': 3 } }, b: { label: 'b', ...never, features: { 'w:beta': 3 } } },
  checks: [
    { ...base, id: 'ma', code: 'MODEL_A', detector: { type: 'classifier', model: 'a' } },
    { ...base, id: 'mb', code: 'MODEL_B', detector: { type: 'classifier', model: 'b' } },
    {
      ...base,
      id: 'x',
      code: 'XX',
      detector: { type: 'phrase', phrases: ['p'] },
      when: { all: [{ fact: 'scores', path: '$.ma', operator: 'greaterThanInclusive', value: 1 }, { any: [{ fact: 'signals', path: '$.x.posts', operator: 'allInOne', value: ['foo'] }] }] },
    },
    {
      ...base,
      id: 'r',
      code: 'RR',
      detector: { type: 'lexicon', lexicons: ['words'] },
      when: { all: [{ fact: 'scores', path: '$.mb', operator: 'greaterThanInclusive', value: 1 }, { not: { fact: 'signals', path: '$.x.posts', operator: 'allInOne', value: ['foo'] } }] },
    },
    // Reads r without a detector or a bar of its own: r is always detected, and only r's own bar rules it out as x's reader.
    { ...base, id: 'w', code: 'WW', when: { any: [{ fact: 'hits', path: '$.r', operator: 'greaterThan', value: 5 }] } },
  ],
} as unknown as ResolvedPack;

/** The pack, with the number of times `x` was detected. */
async function counted(): Promise<{ pack: CompiledPack; calls: () => number }> {
  const pack = await compilePack(spec);
  const x = pack.internal.checks.find((c) => c.id === 'x')!;
  const detect = x.detector!.detect.bind(x.detector);
  let calls = 0;
  x.detector!.detect = (input) => (calls++, detect(input));
  return { pack, calls: () => calls };
}

describe('a barred check that another check reads', () => {
  it('is compiled with its reader and the reader\'s own bar', async () => {
    const { pack } = await counted();
    const [x, r] = ['x', 'r'].map((id) => pack.internal.checks.find((c) => c.id === id)!);
    expect(x!.bars?.map((b) => [b.model.id, b.value])).toEqual([['ma', 1]]);
    expect(x!.barReaders?.map((reader) => [pack.internal.checks[reader.index]!.id, reader.bars?.map((b) => b.model.id)])).toEqual([['r', ['mb']]]);
    // A reader without a detector or a bar is run on every evaluation: r is never skipped.
    expect(r!.bars).toBeUndefined();
  });

  it.each([
    // text, whether x is detected, the codes
    ['foo bar', false, []], // x's and r's bars fail (r, detected, found "bar")
    ['foo beta', false, []], // r's bar passes, but r found nothing: it is not run
    ['foo bar beta', true, []], // r can fire and reads x's signal: x is detected (and r stands down)
    ['bar beta', true, ['RR']], // the same, x finds nothing
    ['foo bar alpha beta', true, ['XX']], // x's bar passes
    ['foo alpha', true, ['XX']],
  ])('%s', async (text, detected, codes) => {
    const { pack, calls } = await counted();
    const d = await evaluate(pack, { content: text });
    expect(calls() > 0).toBe(detected);
    expect(d.violations.map((v) => v.code)).toEqual(codes);
    const { trace: _, ...explained } = await evaluate(pack, { content: text }, { explain: true });
    expect(d).toEqual(explained);
  });
});
