/**
 * The engine's worker threads, one piscina pool per generation (docs/decisions/0011-engine-worker-pool.md).
 *
 * Workers get compiled packs by compiling them at start from workerData (engine-worker.ts), each
 * with the prebuilt bytes of its phrase sets and models (engine/prebuilt.ts): a thread is ready in
 * a fraction of a second instead of building them again for ~3 s per thread.
 * Packs are pinned per stage and change at runtime, so a pack the current workers do not
 * have starts a new generation of workers given the previous packs and the new one; the
 * old generation finishes what it runs and is closed.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Piscina } from 'piscina';
import type { Logger } from 'pino';
import { prebuiltOf, type CompiledPack } from '../../engine/index.js';
import { deadline } from '../lib/deadline.js';
import type { WorkerResult, WorkerTask } from './engine-worker.js';

export interface Generation {
  id: number;
  pool: Piscina<WorkerTask, WorkerResult>;
  refs: Set<string>;
  ready: Promise<void>;
  /** Set once every thread has compiled its packs. */
  started: boolean;
}

const here = fileURLToPath(import.meta.url);
// Under tsx or vitest this file is TypeScript and so is the worker; from dist/ both are JavaScript.
const WORKER_FILE = path.join(path.dirname(here), `engine-worker${path.extname(here)}`);
const WORKER_EXEC_ARGV = path.extname(here) === '.ts' ? ['--import', 'tsx'] : [];

const WORKER_NICE = 5;

/**
 * Longest a generation still starting is waited for before its threads are terminated (ms):
 * below main.ts's shutdown limit (10 s), above a pack compile on a loaded machine (1–4 s).
 */
const START_WAIT_MS = 5_000;

/**
 * Settles once the generation's threads have loaded (or failed to), or after START_WAIT_MS. A
 * thread terminated while it is still loading its module can take the whole process down: piscina
 * loads the worker file with require(), and Node 20's require(esm) aborted a test server in CI
 * (V8 fatal error "IsGraphAsync must be used on an instantiated module", SIGABRT) when it was
 * shut down while its workers were starting.
 */
function whenStarted(generation: Generation): Promise<void> {
  if (generation.started) return Promise.resolve();
  return deadline(generation.ready, START_WAIT_MS, 'engine workers starting').catch(() => undefined);
}

// Per pack, its prebuilt bytes in shared memory: every thread of every generation reads the same
// ~15 MB, which piscina's clone of workerData then shares instead of copying.
const sharedPrebuilt = new WeakMap<CompiledPack, Uint8Array>();

function prebuiltShared(pack: CompiledPack): Uint8Array {
  let shared = sharedPrebuilt.get(pack);
  if (!shared) {
    const bytes = prebuiltOf(pack);
    shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
    shared.set(bytes);
    sharedPrebuilt.set(pack, shared);
  }
  return shared;
}

export function packRef(pack: CompiledPack): string {
  return `${pack.id}@${pack.version}#${pack.hash}`;
}

export interface WorkerGenerations {
  /** The generation that has `pack`, starting one when needed; the old one is closed once the new one is ready. */
  generationFor(pack: CompiledPack): Generation;
  /** Keeps `pack` among the packs a new generation is given (the `maxPacks` most recently used). */
  remember(pack: CompiledPack): void;
  /** Starts a generation with the packs remembered (see `replaceGeneration`). */
  replace(): Generation;
  /** The generation evaluations go to; none before the first and after `close`. */
  current(): Generation | undefined;
  close(): Promise<void>;
}

export function workerGenerations(options: { threads: number; maxPacks: number; logger: Logger }): WorkerGenerations {
  const { threads, maxPacks, logger } = options;
  /** Packs given to workers, least recently used first. */
  const known = new Map<string, CompiledPack>();
  let current: Generation | undefined;
  let generations = 0;

  function remember(pack: CompiledPack): void {
    const ref = packRef(pack);
    known.delete(ref);
    known.set(ref, pack);
    while (known.size > maxPacks) known.delete(known.keys().next().value!);
  }

  function startGeneration(): Generation {
    // One string, not an object graph: piscina clones workerData for every worker it starts, on
    // this thread, and a respawn after a timeout must not stall the loop cloning half a megabyte of
    // objects. Built from each pack's JSON text (WorkerPack[] once parsed), not by parsing and
    // stringifying its document again (~110 ms of the loop for the default pack).
    const packs = [...known.entries()];
    const workerData = {
      packs: `[${packs.map(([ref, pack]) => `{"ref":${JSON.stringify(ref)},"resolved":${pack.resolvedJson}}`).join(',')}]`,
      prebuilt: packs.map(([, pack]) => prebuiltShared(pack)),
    };
    const pool = new Piscina<WorkerTask, WorkerResult>({
      filename: WORKER_FILE,
      execArgv: WORKER_EXEC_ARGV,
      workerData,
      minThreads: threads,
      maxThreads: threads,
      // One evaluation per thread: an abort terminates the thread, and with it only that evaluation.
      concurrentTasksPerWorker: 1,
      // Idle workers must not sleep in Atomics.wait: the thread's own event loop stays live.
      atomics: 'disabled',
      idleTimeout: Number.POSITIVE_INFINITY,
      // Below the main thread's priority: a worker compiling (after a respawn) or chewing on a
      // hostile post must not take the CPU from the loop that answers /healthz and writes the
      // EVALUATION_TIMEOUT answers. Without it, on a loaded machine, those took 200-500 ms.
      niceIncrement: WORKER_NICE,
    });
    pool.on('error', (error: unknown) => logger.error({ err: error }, 'engine worker failed'));
    const id = ++generations;
    const generation: Generation = { id, pool, refs: new Set(packs.map(([ref]) => ref)), ready: Promise.resolve(), started: false };
    // One ping per thread: each answers once its module (and so its packs) is compiled.
    generation.ready = Promise.all(Array.from({ length: threads }, () => pool.run({ ping: true }))).then(() => {
      generation.started = true;
      logger.info({ generation: id, threads, packs: packs.map(([ref]) => ref) }, 'engine workers ready');
    });
    generation.ready.catch(() => undefined);
    return generation;
  }

  /** The generation that has `pack`, starting one when needed; the old one is closed once the new one is ready. */
  function generationFor(pack: CompiledPack): Generation {
    const ref = packRef(pack);
    remember(pack);
    if (current?.refs.has(ref)) return current;
    return replaceGeneration();
  }

  /**
   * Starts a generation with the known packs; the previous one is closed once it is ready. One that
   * fails to start is dropped and the previous one stays current (its evaluations fall back inline).
   */
  function replaceGeneration(): Generation {
    const previous = current;
    const next = startGeneration();
    current = next;
    next.ready.then(
      () => previous && whenStarted(previous).then(() => previous.pool.close().catch(() => undefined)),
      (error: unknown) => {
        logger.error({ err: error, generation: next.id }, 'engine workers did not start');
        if (current === next) current = previous;
        next.pool.destroy().catch(() => undefined);
      },
    );
    return next;
  }

  return {
    generationFor,
    remember,
    replace: replaceGeneration,
    current: () => current,
    async close() {
      const last = current;
      current = undefined;
      if (!last) return;
      await whenStarted(last);
      // Terminate: a stuck evaluation must not hold up a shutdown.
      await last.pool.destroy().catch(() => undefined);
    },
  };
}
