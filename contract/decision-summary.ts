/**
 * What every consumer of a decision counts, computed in one place: the audit
 * row's violation_codes, the metrics' labels, the enforcement event and the
 * dashboard's stream all read a decision through decisionSummary(), and the
 * stats count the audit column it fills, so none of them can disagree.
 */
import type { DecisionStatus } from './decision-status.js';
import type { Mode } from './modes.js';
import type { DecisionBody } from './schemas/evaluations.js';

/** The fields of a decision the summary reads: an evaluate answer or a stored decision both fit. */
export type SummarySource = Pick<
  DecisionBody,
  'request_id' | 'stage' | 'mode' | 'policy' | 'decision' | 'allowed' | 'violations' | 'warnings' | 'audit_ok' | 'error'
>;

type Finding = SummarySource['violations'][number] | SummarySource['warnings'][number];

export interface DecisionSummary {
  request_id: string;
  stage: string;
  mode: Mode;
  decision: DecisionStatus;
  allowed: boolean;
  audit_ok: boolean;
  pack: string;
  policy_version: string;
  /**
   * Distinct codes of the engine's findings (violations, then non-blocking ones) in order of
   * appearance; service warnings such as AUDIT_UNAVAILABLE are not findings. The audit row
   * stores these as `violation_codes`.
   */
  finding_codes: string[];
  /** Distinct codes of `violations` only. */
  violation_codes: string[];
  /** Distinct codes of every warning, service warnings included. */
  warning_codes: string[];
  /** QA_REJECTED, HARMFUL_CONTENT or AUDIT_UNAVAILABLE when the decision blocked; else null. */
  error_code: string | null;
}

export function decisionSummary(body: SummarySource): DecisionSummary {
  return {
    request_id: body.request_id,
    stage: body.stage,
    mode: body.mode,
    decision: body.decision,
    allowed: body.allowed,
    audit_ok: body.audit_ok,
    pack: body.policy.pack,
    policy_version: body.policy.version,
    finding_codes: distinctCodes(decisionFindings(body)),
    violation_codes: distinctCodes(body.violations),
    warning_codes: distinctCodes(body.warnings),
    error_code: body.error?.code ?? null,
  };
}

/**
 * The engine's findings of a decision: its violations, then the warnings that are not one of
 * them (advisory mode repeats every violation as a warning) and that a check produced.
 */
export function decisionFindings(body: Pick<SummarySource, 'violations' | 'warnings'>): Finding[] {
  const violations: Finding[] = body.violations;
  return [...violations, ...body.warnings.filter((w) => w.check !== undefined && !violations.includes(w))];
}

function distinctCodes(findings: readonly { code: string }[]): string[] {
  return [...new Set(findings.map((f) => f.code))];
}
