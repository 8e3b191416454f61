/**
 * The audit row of a decision and the facts its receipt signs: both read the
 * decision body, the content's fingerprint (hashed once per evaluation) and
 * the caller. The codes and findings come from contract/decision-summary.ts,
 * as everywhere else.
 */
import type { ContentFingerprint } from '../../contract/content-hash.js';
import { decisionFindings, decisionSummary, type DecisionSummary } from '../../contract/decision-summary.js';
import type { DecisionBody, EvaluateRequestBody } from '../../contract/schemas/evaluations.js';
import type { AuditRow } from '../audit/audit-store.js';
import type { Caller } from '../auth/api-keys.js';
import type { ReceiptFacts } from '../receipts/receipts.js';

export interface RowContext {
  input: EvaluateRequestBody;
  /**
   * The platform whose rules applied: the request's, else the pack default. Recorded (not only
   * the request's) so that an override receipt is bound to the same platform as the decision.
   */
  platform: string | null;
  content: ContentFingerprint;
  caller: Caller;
  /** Service time up to the decision, before the audit commit. */
  latencyMs: number;
  /** Keep the content itself (GATEHOUSE_AUDIT_STORE_CONTENT); its hash and size are always kept. */
  storeContent: boolean;
  created_at: Date;
  /** decisionSummary(body), when the caller has it already (it is handed to the listeners too). */
  summary?: DecisionSummary;
}

export function auditRow(body: DecisionBody, ctx: RowContext): AuditRow {
  return {
    request_id: body.request_id,
    receipt_id: body.receipt_id,
    created_at: ctx.created_at,
    stage: body.stage,
    mode: body.mode,
    pack_id: body.policy.pack,
    policy_version: body.policy.version,
    policy_hash: body.policy.hash,
    decision: body.decision,
    allowed: body.allowed,
    violation_codes: (ctx.summary ?? decisionSummary(body)).finding_codes,
    violations: decisionFindings(body),
    content_sha256: ctx.content.sha256,
    content_size: Buffer.byteLength(ctx.content.text, 'utf8'),
    content_kind: ctx.content.kind,
    content: ctx.storeContent ? ctx.content.text : null,
    workflow_id: ctx.input.workflow_id ?? null,
    agent: ctx.input.agent ?? null,
    platform: ctx.platform,
    caller: ctx.caller.label,
    // Only this key (or an admin) reads the decision back: GET /v1/decisions/{id}.
    caller_key_id: ctx.caller.id,
    latency_ms: Math.round(ctx.latencyMs * 1000) / 1000,
    response: body as unknown as Record<string, unknown>,
  };
}

/** A row that could not be committed records what was answered: no receipt, audit_ok false, allowed false when enforced. */
export function rowAsAnswered(row: AuditRow, answered: DecisionBody): AuditRow {
  return { ...row, receipt_id: null, allowed: answered.allowed, response: answered as unknown as Record<string, unknown> };
}

export function receiptFacts(body: DecisionBody, content: ContentFingerprint, platform: string | null): ReceiptFacts {
  return {
    receipt_id: body.receipt_id!,
    request_id: body.request_id,
    stage: body.stage,
    platform,
    mode: body.mode,
    pack: body.policy.pack,
    policy_version: body.policy.version,
    policy_hash: body.policy.hash,
    decision: body.decision,
    allowed: body.allowed,
    content_sha256: content.sha256,
    content_kind: content.kind,
  };
}
