/**
 * The `event: enforcement` payload of GET /v1/events: one answered decision,
 * with the API's field names and uppercase statuses. It starts with the
 * enforcement event of contract/enforcement-event.ts (request_id, receipt_id,
 * mode, qa_summary, audit_ok), so that the client's parseEnforcementEvent
 * reads these frames as it reads a generation service's; the fields after it
 * are what a dashboard needs to show the decision without a second request.
 * Small enough to stream: no sanitized text and no spans
 * (GET /v1/decisions/:request_id has the full decision).
 */
import type { Static } from '@sinclair/typebox';
import { decisionSummary } from '../../contract/decision-summary.js';
import { sseBlock, toEnforcementEvent } from '../../contract/enforcement-event.js';
import type { StreamedDecision as StreamedDecisionSchema } from '../../contract/schemas/dashboard.js';
import type { DecisionBody } from '../../contract/schemas/evaluations.js';

/** What the decision body does not carry: who asked, for which workflow, and when. */
export interface DecisionMeta {
  workflow_id?: string | null;
  agent?: string | null;
  created_at?: Date | string;
}

/** Its schema is the contract's (contract/schemas/dashboard.ts), which /openapi.json publishes. */
export type StreamedDecision = Static<typeof StreamedDecisionSchema>;

export function toStreamedDecision(body: DecisionBody, meta: DecisionMeta = {}): StreamedDecision {
  return {
    ...toEnforcementEvent(body),
    stage: body.stage,
    policy: { pack: body.policy.pack, version: body.policy.version, hash: body.policy.hash },
    decision: body.decision,
    allowed: body.allowed,
    violation_codes: decisionSummary(body).finding_codes,
    error: body.error ? { code: body.error.code, message: body.error.message, suggestedFix: body.error.suggestedFix } : null,
    created_at: isoTime(meta.created_at),
    workflow_id: meta.workflow_id ?? null,
    agent: meta.agent ?? null,
  };
}

/** One SSE frame; `id:` lets a client tell frames apart; JSON.stringify keeps the data on one line. */
export function sseFrame(event: StreamedDecision): string {
  return sseBlock(event);
}

function isoTime(value: Date | string | undefined): string {
  if (value === undefined) return new Date().toISOString();
  return typeof value === 'string' ? value : value.toISOString();
}
