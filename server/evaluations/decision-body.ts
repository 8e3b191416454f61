/**
 * The decision body of DESIGN.md, built from the effective mode and the
 * engine's decision. Pure functions: the one place where a mode changes what
 * a decision says.
 */
import type { EngineDecision, Violation } from '../../engine/index.js';
import type { Deferral } from '../audit/audit-sink.js';
import { ERROR_CODES } from '../../contract/error-codes.js';
import type { DecisionBody, WarningBody } from '../../contract/schemas/evaluations.js';
import { MODE_BEHAVIOUR, type Mode } from '../../contract/modes.js';

export interface DecisionContext {
  request_id: string;
  receipt_id: string;
  stage: string;
  mode: Mode;
  policy: { pack: string; version: string; hash: string };
}

/** Effective mode `off`: nothing evaluated, allowed, attested as SKIPPED. */
export function skippedDecision(ctx: DecisionContext, content: string | string[]): DecisionBody {
  return {
    ...ctx,
    decision: 'SKIPPED',
    checks: [],
    allowed: true,
    violations: [],
    required_edits: [],
    warnings: [],
    sanitized: typeof content === 'string' ? [content] : [...content],
    audit_ok: true,
  };
}

/** advisory: allowed, violations repeated as warnings; enforced: a FAIL blocks with QA_REJECTED or HARMFUL_CONTENT. */
export function evaluatedDecision(ctx: DecisionContext, engine: EngineDecision): DecisionBody {
  const canBlock = MODE_BEHAVIOUR[ctx.mode].canBlock;
  const blocked = canBlock && engine.decision === 'FAIL';
  const warnings: WarningBody[] = canBlock ? [...engine.warnings] : [...engine.warnings, ...engine.violations];
  const body: DecisionBody = {
    ...ctx,
    decision: engine.decision,
    checks: engine.checks,
    allowed: !blocked,
    violations: engine.violations,
    required_edits: engine.required_edits,
    warnings,
    sanitized: engine.sanitized,
    audit_ok: true,
  };
  if (blocked) body.error = blockingError(engine.violations);
  return body;
}

function blockingError(violations: Violation[]): NonNullable<DecisionBody['error']> {
  const harmful = violations.find((v) => v.category === 'harmful');
  const codes = [...new Set(violations.map((v) => v.code))];
  const only = violations.length === 1 ? violations[0] : undefined;
  return {
    code: harmful ? 'HARMFUL_CONTENT' : 'QA_REJECTED',
    message: `Blocked by ${violations.length} violation${violations.length === 1 ? '' : 's'}: ${codes.join(', ')}.`,
    suggestedFix: harmful?.suggestedFix ?? only?.suggestedFix ?? ERROR_CODES.QA_REJECTED,
    details: { violations },
  };
}

/**
 * The audit row could not be committed: no receipt; enforced refuses
 * (AUDIT_UNAVAILABLE), advisory and off stay allowed with a warning. With a
 * `deferral` the row is kept in the durable outbox and will be recorded
 * later; while the audit circuit breaker is not closed the answer also
 * carries a CIRCUIT_BREAKER_TRIPPED warning.
 */
export function withAuditFailure(body: DecisionBody, deferral?: Deferral): DecisionBody {
  const failed: DecisionBody = { ...body, receipt_id: null, audit_ok: false };
  const message = deferral
    ? 'The decision could not be committed to the audit store in time; it is kept in the local outbox and will be recorded when the store is back. No receipt was issued.'
    : 'The decision could not be recorded in the audit store; no receipt was issued.';
  const tripped: WarningBody[] =
    deferral && deferral.breaker !== 'closed'
      ? [{ code: 'CIRCUIT_BREAKER_TRIPPED', message: `The audit store is failing: its circuit breaker is ${deferral.breaker}.`, suggestedFix: ERROR_CODES.CIRCUIT_BREAKER_TRIPPED }]
      : [];
  if (MODE_BEHAVIOUR[body.mode].canBlock) {
    failed.allowed = false;
    failed.warnings = [...body.warnings, ...tripped];
    failed.error = {
      code: 'AUDIT_UNAVAILABLE',
      message,
      suggestedFix: ERROR_CODES.AUDIT_UNAVAILABLE,
      details: { decision: body.decision, violations: body.violations },
    };
  } else {
    failed.warnings = [...body.warnings, { code: 'AUDIT_UNAVAILABLE', message, suggestedFix: ERROR_CODES.AUDIT_UNAVAILABLE }, ...tripped];
  }
  return failed;
}
