/**
 * The engine worker pool (server/evaluations/engine-workers.ts) with real worker threads:
 * a long post decided in a worker equals the same post decided inline, whichever pack it is
 * evaluated with (a pack the workers lack starts a new generation that has it); short posts
 * stay inline unless the pack's measured worst case is over the inline limit; an evaluation past
 * its budget is EVALUATION_TIMEOUT, and the pool answers afterwards with a replacement worker.
 */
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePack, evaluate, loadPack, type CompiledPack, type ResolvedPack } from '../../../engine/index.js';
import { AppError } from '../../../server/errors.js';
import { createEngineWorkers, type EngineWorkers } from '../../../server/evaluations/engine-workers.js';

const MINIMAL = path.resolve(import.meta.dirname, '../../fixtures/packs/valid/minimal');
let a: CompiledPack;
let b: CompiledPack;
let workers: EngineWorkers;

beforeAll(async () => {
  a = await loadPack(MINIMAL);
  // The same pack as another version, with one more term: its decisions differ from a's.
  const resolved = structuredClone(a.resolved) as ResolvedPack & { lexicons: Record<string, { terms: string[] }> };
  resolved.version = '0.2.0';
  resolved.lexicons.words!.terms.push('gosh');
  b = compilePack(resolved);
  workers = createEngineWorkers({ threads: 1, inlineChars: 100, logger: pino({ level: 'silent' }) });
});

afterAll(() => workers?.close());

const long = (text: string) => `${text} ${'and then some more words. '.repeat(10)}`;

describe('engine workers', () => {
  it('decides a long post in a worker exactly as inline, for each pack it is given (a new generation per new pack)', async () => {
    const input = { content: [long('oh darn, gosh'), 'ALLCAPSSHOUTING here', 'x', 'y'], platform: 'x' };
    expect(await workers.run(a, input, 60_000)).toEqual(await evaluate(a, input));
    expect(workers.stats()).toMatchObject({ generation: 1, pooled: 1, inline: 0 });
    const decidedByB = await workers.run(b, input, 60_000);
    expect(decidedByB).toEqual(await evaluate(b, input));
    expect(decidedByB).not.toEqual(await evaluate(a, input));
    expect(workers.stats().generation).toBe(2);
    expect(workers.stats().packs).toHaveLength(2);
    // Both packs are in the current generation: no third one.
    expect(await workers.run(a, input, 60_000)).toEqual(await evaluate(a, input));
    expect(workers.stats().generation).toBe(2);
  });

  it('keeps short posts inline for a pack measured cheap enough', async () => {
    const before = workers.stats();
    expect(await workers.run(a, { content: 'darn' }, 60_000)).toEqual(await evaluate(a, { content: 'darn' }));
    expect(workers.stats()).toMatchObject({ inline: before.inline + 1, pooled: before.pooled, slowPacks: [] });
  });

  it("sends every post of a pack over the inline limit to the pool, where a short post's deadline stops it too", async () => {
    // A limit no pack meets stands in for a slow pack: what is tested is the routing and the deadline.
    // A 20,000-character post is "short" here: one that takes far longer than its budget shows
    // the deadline holds for short posts too. (The measure itself costs probes of a tenth of that.)
    const strict = createEngineWorkers({ threads: 1, inlineChars: 20_000, inlineLimitMs: 0.001, logger: pino({ level: 'silent' }) });
    try {
      expect(await strict.run(a, { content: 'darn' }, 60_000)).toEqual(await evaluate(a, { content: 'darn' }));
      expect(strict.stats()).toMatchObject({ inline: 0, pooled: 1, slowPacks: [`${a.id}@${a.version}#${a.hash}`] });
      const error = await strict.run(a, { content: 'darn heck frick '.repeat(1_250) }, 1).catch((e: unknown) => e);
      expect((error as AppError).code).toBe('EVALUATION_TIMEOUT');
      expect(strict.stats().timedOut).toBe(1);
    } finally {
      await strict.close();
    }
  });

  it('answers EVALUATION_TIMEOUT past the budget, and evaluates again afterwards', async () => {
    const huge = { content: Array.from({ length: 50 }, () => 'darn heck frick '.repeat(2_500)) };
    const error = await workers.run(a, huge, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('EVALUATION_TIMEOUT');
    expect((error as AppError).details).toEqual({ limit_ms: 1 });
    expect(workers.stats().timedOut).toBe(1);
    const input = { content: long('darn') };
    expect(await workers.run(a, input, 60_000)).toEqual(await evaluate(a, input));
  });
});
