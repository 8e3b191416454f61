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
  return {
    run: (pack, input, budgetMs, startedAt = performance.now()) =>
      deadline(evaluate(pack, input), Math.max(0, budgetMs - (performance.now() - startedAt)), () => evaluationTimeout(budgetMs)),
  };
}

export function evaluationTimeout(ms: number): AppError {
  return new AppError('EVALUATION_TIMEOUT', `The evaluation took longer than ${ms} ms.`, {
    details: { limit_ms: ms },
    suggestedFix: 'Send shorter content, or raise GATEHOUSE_EVALUATION_TIMEOUT_MS.',
  });
}
