/**
 * Engine worker generations (server/evaluations/worker-generations.ts) with real worker threads:
 * a generation is not terminated while its threads are still loading (a thread terminated inside
 * Node 20's require(esm) can abort the whole process), whether it is closed at shutdown or
 * replaced by a newer generation.
 */
import path from 'node:path';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { compilePack, loadPack, type CompiledPack, type ResolvedPack } from '../../../engine/index.js';
import { workerGenerations } from '../../../server/evaluations/worker-generations.js';

const MINIMAL = path.resolve(import.meta.dirname, '../../fixtures/packs/valid/minimal');
let a: CompiledPack;
let b: CompiledPack;

beforeAll(async () => {
  a = await loadPack(MINIMAL);
  const resolved = structuredClone(a.resolved) as ResolvedPack;
  resolved.version = '0.2.0';
  b = compilePack(resolved);
});

const silent = pino({ level: 'silent' });

describe('worker generations', () => {
  it('lets a generation that is still starting finish loading before a shutdown terminates it', async () => {
    const generations = workerGenerations({ threads: 1, maxPacks: 8, logger: silent });
    const starting = generations.generationFor(a);
    expect(starting.started).toBe(false);
    await generations.close(); // at once: the thread is still loading its module
    expect(starting.started).toBe(true);
    expect(generations.current()).toBeUndefined();
  });

  it('closes a replaced generation only once it has started too', async () => {
    const generations = workerGenerations({ threads: 1, maxPacks: 8, logger: silent });
    const first = generations.generationFor(a);
    const second = generations.generationFor(b); // replaces `first` before it has started
    expect(second).not.toBe(first);
    await second.ready;
    // The first generation is closed after it has started: its pings were answered, none refused.
    await expect(first.ready).resolves.toBeUndefined();
    expect(first.started).toBe(true);
    await generations.close();
  });
});
