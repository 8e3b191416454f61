/**
 * The enforcement event of streaming generation: a generation service that
 * streams text to its front end over Server-Sent Events relays gatehouse's
 * decision as one `event: enforcement` block, and GET /v1/events streams the
 * same event (with more fields after it) to the dashboard. The payload is a
 * contract with front ends (test/client/__snapshots__/enforcement-event.txt),
 * so its schema and its writer live here, once; the client parses it.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DECISION_STATUSES } from './decision-status.js';
import { decisionSummary, type SummarySource } from './decision-summary.js';
import { MODES } from './modes.js';
import type { DecisionBody } from './schemas/evaluations.js';

export const ENFORCEMENT_EVENT = 'enforcement';

// Unions of literals, not string enums: the client checks events with TypeBox's Value.Check.
const Status = Type.Union(DECISION_STATUSES.map((s) => Type.Literal(s)));
const ModeName = Type.Union(MODES.map((m) => Type.Literal(m)));

export const EnforcementEventSchema = Type.Object(
  {
    request_id: Type.String(),
    receipt_id: Type.Union([Type.String(), Type.Null()], { description: 'null when the audit row could not be written (no receipt).' }),
    mode: ModeName,
    qa_summary: Type.Object({
      status: Status,
      allowed: Type.Boolean(),
      stage: Type.String(),
      pack: Type.String(),
      policy_version: Type.String(),
      violation_codes: Type.Array(Type.String(), { description: 'Distinct codes of the violations, in order of appearance.' }),
      warning_codes: Type.Array(Type.String()),
      error_code: Type.Union([Type.String(), Type.Null()], { description: 'QA_REJECTED, HARMFUL_CONTENT, AUDIT_UNAVAILABLE, or null.' }),
    }),
    audit_ok: Type.Boolean(),
  },
  { description: 'Data of an SSE `event: enforcement`.' },
);

export type EnforcementEvent = Static<typeof EnforcementEventSchema>;

/** What the event needs of a decision: an evaluate answer or a stored decision both fit. */
export type EnforcementSource = SummarySource & Pick<DecisionBody, 'receipt_id'>;

/** The event's payload, in a fixed key order (front ends and the snapshot compare text). */
export function toEnforcementEvent(decision: EnforcementSource): EnforcementEvent {
  const summary = decisionSummary(decision);
  return {
    request_id: summary.request_id,
    receipt_id: decision.receipt_id,
    mode: summary.mode,
    qa_summary: {
      status: summary.decision,
      allowed: summary.allowed,
      stage: summary.stage,
      pack: summary.pack,
      policy_version: summary.policy_version,
      violation_codes: summary.violation_codes,
      warning_codes: summary.warning_codes,
      error_code: summary.error_code,
    },
    audit_ok: summary.audit_ok,
  };
}

/**
 * A decision as one SSE block: `event: enforcement`, `id: <request_id>` and
 * one `data:` line of JSON, ending with the blank line that dispatches it.
 */
export function formatEnforcementEvent(decision: EnforcementSource): string {
  return sseBlock(toEnforcementEvent(decision));
}

/** Any payload that starts with the enforcement event, as one SSE block (JSON.stringify keeps it on one data line). */
export function sseBlock(event: EnforcementEvent): string {
  return `event: ${ENFORCEMENT_EVENT}\nid: ${event.request_id}\ndata: ${JSON.stringify(event)}\n\n`;
}
