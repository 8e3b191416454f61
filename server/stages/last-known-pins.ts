/**
 * Stage pins for the evaluation path, still served when the database is down
 * or slow. While the database answers in time, every read goes to it (a pin
 * changed on another instance applies at once, as before); when a read fails
 * or times out, the last pin this instance read for the stage is used, and
 * after a few failures a circuit breaker stops trying until a probe succeeds,
 * so that evaluations keep answering within their latency budget and their
 * audit rows go to the outbox.
 */
import type { Logger } from 'pino';
import { createCircuitBreaker, type CircuitBreaker } from '../lib/circuit-breaker.js';
import { deadline } from '../lib/deadline.js';
import { AppError } from '../errors.js';
import type { StagePin, StageStore } from './stage-store.js';

export interface LastKnownPinsOptions {
  /** Longest wait for the database, in ms. */
  timeoutMs: number;
  breakerThreshold: number;
  breakerResetMs: number;
  logger: Pick<Logger, 'warn' | 'debug'>;
}

export type StageReader = Pick<StageStore, 'get'> & { readonly breaker: CircuitBreaker };

export function withLastKnownPins(store: Pick<StageStore, 'get'>, options: LastKnownPinsOptions): StageReader {
  const known = new Map<string, StagePin>();
  const breaker = createCircuitBreaker({
    failureThreshold: options.breakerThreshold,
    resetTimeoutMs: options.breakerResetMs,
    onStateChange: (to, from) => options.logger.warn({ from, to }, `stage pin reads: circuit breaker ${to}`),
  });

  function fallback(stage: string, error?: unknown): StagePin | undefined {
    const pin = known.get(stage);
    if (pin) return pin;
    if (error !== undefined) throw error;
    throw new AppError('NOT_READY', `The database is unavailable and the pin of stage "${stage}" is not known to this instance yet.`, {
      details: { stage },
    });
  }

  return {
    breaker,
    async get(stage) {
      if (!breaker.tryAcquire()) return fallback(stage);
      let pin: StagePin | undefined;
      try {
        pin = await deadline(store.get(stage), options.timeoutMs, 'reading the stage pin');
      } catch (error) {
        breaker.recordFailure();
        options.logger.debug({ err: error, stage }, 'stage pin read failed; using the last known pin');
        return fallback(stage, error);
      }
      breaker.recordSuccess();
      // Only pinned stages are remembered: callers choose stage names, so misses must not grow the map.
      if (pin) known.set(stage, pin);
      else known.delete(stage);
      return pin;
    },
  };
}

/**
 * The evaluate path's pin lookup: the rollout snapshot first (no database read); a stage the
 * snapshot does not know yet (pinned on another instance a moment ago) is read from `store`.
 */
export function snapshotFirst(snapshot: (stage: string) => StagePin | undefined, store: Pick<StageStore, 'get'>): Pick<StageStore, 'get'> {
  return { get: async (stage) => snapshot(stage) ?? store.get(stage) };
}
