/**
 * The engine off the event loop, with a hard deadline (docs/decisions/0011-engine-worker-pool.md).
 *
 * Posts longer than `inlineChars` in all are evaluated in a piscina pool of worker
 * threads: past its budget an evaluation is aborted, which terminates the thread it
 * runs on (piscina starts another), and answered EVALUATION_TIMEOUT, while the main
 * loop keeps serving /healthz and every other request. Short posts run inline, where the
 * hop would cost more than their evaluation, but only for a pack whose worst case at that
 * size is measured first and found under `inlineLimitMs` (engine/tooling/worst-case.ts):
 * a pack that is not goes to the pool with every post, so no pack can hold the loop longer.
 *
 * Workers get compiled packs in generations (worker-generations.ts). Waiting for a generation to
 * compile is not part of an evaluation's budget (it is bounded by `warmLimitMs`).
 */
import type { Logger } from 'pino';
import type { CompiledPack, EngineDecision, EvaluationInput } from '../../engine/index.js';
import { AppError } from '../errors.js';
import { deadline } from '../lib/deadline.js';
import { measureWorstCase } from '../../engine/tooling/worst-case.js';
import { evaluationTimeout, inlineRunner, type EngineRunner } from './engine-runner.js';
import { packRef, workerGenerations } from './worker-generations.js';

export interface EngineWorkersOptions {
  /** Worker threads; 0 → every evaluation inline (no hard deadline). */
  threads: number;
  /** Posts totalling at most this many UTF-16 units run inline (for a pack measured cheap enough). */
  inlineChars: number;
  /** Longest a pack's worst-case probe of `inlineChars` may take for its short posts to run inline. @defaultValue 50 ms */
  inlineLimitMs?: number;
  /** Posts a request may hold: the thread probe's size. @defaultValue 100 */
  maxPosts?: number;
  logger: Logger;
  /** Packs kept compiled in the workers, most recently used first. @defaultValue 8 */
  maxPacks?: number;
  /** Longest wait for a new generation of workers to compile its packs. @defaultValue 60,000 ms */
  warmLimitMs?: number;
}

export interface EngineWorkers extends EngineRunner {
  /** Starts (or renews) the workers with these packs among theirs; settles once they are ready. */
  warm(packs: readonly CompiledPack[]): Promise<void>;
  /** `timedOut`: evaluations aborted at their budget (a running one terminates its worker, a queued one leaves the queue). */
  /** `ready`: the current generation's threads have compiled their packs (until then they compete for the CPU). */
  /** `slowPacks`: packs whose worst case at `inlineChars` is over `inlineLimitMs`, so that every post of theirs runs in the pool. */
  stats(): { threads: number; generation: number; ready: boolean; packs: string[]; timedOut: number; inline: number; pooled: number; slowPacks: string[] };
  close(): Promise<void>;
}

export function totalChars(content: string | string[]): number {
  if (typeof content === 'string') return content.length;
  let n = 0;
  for (const post of content) n += post.length;
  return n;
}

export function createEngineWorkers(options: EngineWorkersOptions): EngineWorkers {
  const { threads, inlineChars, logger } = options;
  const maxPacks = options.maxPacks ?? 8;
  const warmLimitMs = options.warmLimitMs ?? 60_000;
  const inlineLimitMs = options.inlineLimitMs ?? 50;
  const maxPosts = options.maxPosts ?? 100;
  /** Each pack's measurement: `safe` (its short posts may run inline) once `done` has settled. */
  const measured = new WeakMap<CompiledPack, { done: Promise<boolean>; safe?: boolean }>();
  const slowPacks = new Set<string>();
  const inline = inlineRunner();
  let timedOut = 0;
  let inlineCount = 0;
  let pooledCount = 0;
  let closed = false;

  const generations = workerGenerations({ threads, maxPacks, logger });

  async function pooled(pack: CompiledPack, input: EvaluationInput, budgetMs: number, startedAt: number): Promise<EngineDecision> {
    const generation = generations.generationFor(pack);
    const warming = performance.now();
    try {
      await deadline(generation.ready, warmLimitMs, () => new AppError('EVALUATION_TIMEOUT', `The engine workers took longer than ${warmLimitMs} ms to start.`, { details: { limit_ms: warmLimitMs } }));
    } catch (error) {
      if (error instanceof AppError) throw error;
      // Workers that cannot start must not take the service down with them: inline, as without a pool.
      logger.warn({ pack: packRef(pack) }, 'engine workers unavailable: evaluating inline');
      return inline.run(pack, input, budgetMs, startedAt);
    }
    // Waiting for a new generation to compile its packs (a pack switch, the first long post of a
    // process that was not warmed) is not charged to the request; everything else is.
    const charged = warming - startedAt;
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut++;
        reject(evaluationTimeout(budgetMs));
        // After the answer is on its way: terminating the worker and starting its replacement
        // takes the main thread a few milliseconds.
        setImmediate(() => abort.abort());
        logger.warn({ limit_ms: budgetMs, pack: packRef(pack), generation: generation.id }, 'evaluation past its budget: aborted (its worker, if it was running, is terminated)');
      }, Math.max(0, budgetMs - charged));
    });
    const running = generation.pool.run({ ref: packRef(pack), input }, { signal: abort.signal });
    running.catch(() => undefined);
    try {
      const result = await Promise.race([running, expired]);
      if ('decision' in result) return result.decision;
      // Only when a newer pack evicted this one between the generation check and the run.
      throw new AppError('INTERNAL', `engine workers lacked ${'missing' in result ? result.missing : packRef(pack)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Measures `pack` once on the worst-case probes (on this thread, a few milliseconds for the
   * default pack; a hostile one stops at its first tenth-size probe). Not charged to a request's budget.
   */
  function measure(pack: CompiledPack): Promise<boolean> {
    const known = measured.get(pack);
    if (known) return known.done;
    const entry: { done: Promise<boolean>; safe?: boolean } = {
      done: measureWorstCase(pack, inlineChars, maxPosts, inlineLimitMs)
        .then(
          (worst) => {
            if (worst.ms <= inlineLimitMs) return true;
            logger.warn({ pack: packRef(pack), worst_ms: Math.round(worst.ms), probe: worst.probe, limit_ms: inlineLimitMs }, 'pack too slow to evaluate inline: every post of it runs in the worker pool');
            return false;
          },
          (error: unknown) => {
            // A probe that throws is the engine's bug, not the pack's cost: keep the posts off the loop.
            logger.error({ err: error, pack: packRef(pack) }, 'measuring the pack failed: every post of it runs in the worker pool');
            return false;
          },
        )
        .then((safe) => {
          entry.safe = safe;
          if (!safe) slowPacks.add(packRef(pack));
          return safe;
        }),
    };
    measured.set(pack, entry);
    return entry.done;
  }

  async function measuredThenRun(pack: CompiledPack, input: EvaluationInput, budgetMs: number, startedAt: number): Promise<EngineDecision> {
    const measuringFrom = performance.now();
    const safe = await measure(pack);
    const shifted = startedAt + (performance.now() - measuringFrom);
    return safe ? inlineRun(pack, input, budgetMs, shifted) : pooledRun(pack, input, budgetMs, shifted);
  }

  function inlineRun(pack: CompiledPack, input: EvaluationInput, budgetMs: number, startedAt: number): Promise<EngineDecision> {
    inlineCount++;
    return inline.run(pack, input, budgetMs, startedAt);
  }

  function pooledRun(pack: CompiledPack, input: EvaluationInput, budgetMs: number, startedAt: number): Promise<EngineDecision> {
    pooledCount++;
    return pooled(pack, input, budgetMs, startedAt);
  }

  return {
    run(pack, input, budgetMs, startedAt = performance.now()) {
      if (closed || threads === 0) return inlineRun(pack, input, budgetMs, startedAt);
      if (totalChars(input.content) > inlineChars) return pooledRun(pack, input, budgetMs, startedAt);
      const safe = measured.get(pack)?.safe;
      if (safe === true) return inlineRun(pack, input, budgetMs, startedAt);
      if (safe === false) return pooledRun(pack, input, budgetMs, startedAt);
      return measuredThenRun(pack, input, budgetMs, startedAt);
    },

    async warm(packs) {
      if (threads === 0 || closed) return;
      for (const pack of packs) await measure(pack);
      for (const pack of packs) generations.remember(pack);
      const current = generations.current();
      if (current && packs.every((p) => current.refs.has(packRef(p)))) return current.ready;
      await generations.replace().ready;
    },

    stats: () => {
      const current = generations.current();
      return {
        threads,
        generation: current?.id ?? 0,
        ready: threads === 0 || (current?.started ?? false),
        packs: current ? [...current.refs] : [],
        timedOut,
        inline: inlineCount,
        pooled: pooledCount,
        slowPacks: [...slowPacks],
      };
    },

    async close() {
      closed = true;
      await generations.close();
    },
  };
}
