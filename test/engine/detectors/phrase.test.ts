import { afterEach, describe, expect, it, vi } from 'vitest';
import { compilePack, evaluate, type ResolvedPack } from '../../../engine/index.js';
import { PhraseSet } from '../../../engine/phrases/phrase-set.js';

/**
 * A phrase check with a signal filter finds its own rules alone (`find`'s `only`) only when every
 * other check of the set reads every rule and comes before it: then it runs no rule that only a
 * skipped check reads, and two filtered checks still share one find of every rule.
 */
const base = { severity: 'block' as const, category: 'tos' as const, message: '{{rule}}', suggestedFix: 'fix', required_edit: { action: 'review' as const } };
const phrase = (id: string, code: string, signals?: string[], when?: unknown) => ({ ...base, id, code, detector: { type: 'phrase', phrases: ['s'], ...(signals ? { signals } : {}) }, ...(when ? { when } : {}) });
const packOf = (checks: unknown[]) =>
  compilePack({
    id: 't',
    version: '1.0.0',
    description: '',
    defaults: { platform: 'x', thread_split: 'none' },
    lexicons: {},
    phrases: { s: { rules: [{ id: 'foo', signal: 'sa', match: 'foo' }, { id: 'bar', signal: 'sb', match: 'bar' }] } },
    models: { a: { label: 'a', bias: 0, threshold: 100, features: { 'w:alpha': 3 } } },
    checks: [{ ...base, message: '{{model}}', id: 'ma', code: 'MODEL_A', detector: { type: 'classifier', model: 'a' } }, ...checks],
  } as unknown as ResolvedPack);

// `full` reads every rule, behind a score bar; `part` reads the rule of signal sb after it.
const barred = { all: [{ fact: 'scores', path: '$.ma', operator: 'greaterThanInclusive', value: 1 }, { any: [{ fact: 'signals', path: '$.full.posts', operator: 'allInOne', value: ['sa'] }] }] };
const fullThenPart = packOf([phrase('full', 'FULL', undefined, barred), phrase('part', 'PART', ['sb'])]);
const twoParts = packOf([phrase('part-a', 'PART_A', ['sa']), phrase('part-b', 'PART_B', ['sb'])]);

/** The finds an evaluation runs: true for one with `only`. */
async function finds(pack: Awaited<typeof fullThenPart>, text: string): Promise<{ filtered: boolean[]; codes: string[] }> {
  const find = vi.spyOn(PhraseSet.prototype, 'find');
  const d = await evaluate(pack, { content: text });
  return { filtered: find.mock.calls.map((call) => call[1] !== undefined), codes: d.violations.map((v) => v.code) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a phrase check with signals', () => {
  it('filters the results of every rule that a check before it found', async () => {
    expect(await finds(fullThenPart, 'foo bar alpha')).toEqual({ filtered: [false], codes: ['FULL', 'FULL', 'PART'] });
  });

  it('finds its own rules alone when that check is skipped', async () => {
    expect(await finds(fullThenPart, 'foo bar')).toEqual({ filtered: [true], codes: ['PART'] });
  });

  it('shares one find of every rule with another filtered check', async () => {
    expect(await finds(twoParts, 'foo bar')).toEqual({ filtered: [false], codes: ['PART_A', 'PART_B'] });
  });
});
