/**
 * What the evaluation service hands each of its onDecision listeners once a
 * decision is answered: the metrics, the dashboard's event stream and shadow
 * evaluation (wired in server/compose.ts). Listeners run after the answer is
 * final and cannot change it; they must not block, and one that throws is
 * logged and skipped.
 */
import type { DecisionSummary } from '../../contract/decision-summary.js';
import type { DecisionBody, EvaluateRequestBody } from '../../contract/schemas/evaluations.js';

export interface Decided {
  /** The decision as answered, without its receipt (a bearer token stays with the caller). */
  decision: DecisionBody;
  input: EvaluateRequestBody;
  summary: DecisionSummary;
  /** What the decision does not carry: for which workflow and agent, and when (the audit row's created_at). */
  meta: { workflow_id: string | null; agent: string | null; created_at: Date };
  /** From the request reaching the service to the answer, receipt included: the one timing of an evaluation. */
  latency_ms: number;
}

export type DecisionListener = (decided: Decided) => void;
