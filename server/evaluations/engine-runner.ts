/**
 * How the evaluation service runs the engine: the decision, or EVALUATION_TIMEOUT once the
 * request's budget is spent. Inline here; off the event loop, with a hard deadline, in
 * engine-workers.ts.
 */
import { evaluate as engineEvaluate, type CompiledPack, type EngineDecision, type EvaluationInput } from '../../engine/index.js';
import { AppError } from '../errors.js';
import { deadline } from '../lib/deadline.js';

export interface EngineRunner {
  /**
   * The engine's decision, or EVALUATION_TIMEOUT once `budgetMs` have passed since `startedAt`
   * (a performance.now() reading; default now): the budget is the request's, not the engine's alone.
   */
  run(pack: CompiledPack, input: EvaluationInput, budgetMs: number, startedAt?: number): Promise<EngineDecision>;
}

/** The engine inline, the caller no longer waiting past the budget (the work itself cannot be stopped). */
export function inlineRunner(evaluate: typeof engineEvaluate = engineEvaluate): EngineRunner {
  const batched = inBatches(evaluate);
  return {
    run: (pack, input, budgetMs, startedAt = performance.now()) =>
      deadline(batched(pack, input), Math.max(0, budgetMs - (performance.now() - startedAt)), () => evaluationTimeout(budgetMs)),
  };
}

type Evaluate = (pack: CompiledPack, input: EvaluationInput) => Promise<EngineDecision>;

/** How long one batch may hold the event loop before the rest of it waits for the next turn (ms). */
export const BATCH_SLICE_MS = 10;

/**
 * The evaluations asked for in one turn of the event loop, run back to back at its end
 * (setImmediate), in the order they were asked for. Between two requests the server's own work
 * (HTTP, Express, the audit row, logging) evicts the engine's tables and code from the CPU's
 * caches: an evaluation after 16 MiB of other work took 2.4× its warm time (docs/performance.md).
 * Under load one turn reads many requests, and their evaluations then share one warm-up; at low
 * load a batch is one evaluation, later by one setImmediate. A batch stops starting evaluations
 * once it has run for `sliceMs`: the rest go first in the next turn, so that many slow posts
 * arriving together do not hold /healthz and every other request for longer than that.
 */
export function inBatches(evaluate: Evaluate, sliceMs = BATCH_SLICE_MS, now: () => number = () => performance.now()): Evaluate {
  let queue: { pack: CompiledPack; input: EvaluationInput; resolve: (decision: Promise<EngineDecision>) => void }[] = [];
  let scheduled = false;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };
  const flush = () => {
    scheduled = false;
    const jobs = queue;
    queue = [];
    const until = now() + sliceMs;
    let next = 0;
    while (next < jobs.length) {
      const job = jobs[next++]!;
      // A failure is its own job's: the others still run.
      job.resolve(settled(evaluate, job.pack, job.input));
      if (now() >= until) break;
    }
    if (next < jobs.length) {
      // Nothing was asked for meanwhile (this loop is synchronous): the rest keep their order.
      queue = jobs.slice(next);
      schedule();
    }
  };
  return (pack, input) =>
    new Promise((resolve) => {
      queue.push({ pack, input, resolve });
      schedule();
    });
}

function settled(evaluate: Evaluate, pack: CompiledPack, input: EvaluationInput): Promise<EngineDecision> {
  try {
    return evaluate(pack, input);
  } catch (error) {
    return Promise.reject(error);
  }
}

export function evaluationTimeout(ms: number): AppError {
  return new AppError('EVALUATION_TIMEOUT', `The evaluation took longer than ${ms} ms.`, {
    details: { limit_ms: ms },
    suggestedFix: 'Send shorter content, or raise GATEHOUSE_EVALUATION_TIMEOUT_MS.',
  });
}
