import type { AuditRow } from '../../server/audit/audit-store.js';

export const T0 = new Date('2026-01-01T00:00:00.000Z');

/** T0 plus `ms` milliseconds. */
export function at(ms: number): Date {
  return new Date(T0.getTime() + ms);
}

/** A complete audit row with concrete values; override what the test is about. */
export function auditRow(overrides: Partial<AuditRow> & { request_id: string }): AuditRow {
  return {
    receipt_id: `rcpt-${overrides.request_id}`,
    created_at: T0,
    stage: 'prod',
    mode: 'enforced',
    pack_id: 'qa',
    policy_version: '1.2.0',
    policy_hash: 'sha256:3f1c0a',
    decision: 'PASS',
    allowed: true,
    violation_codes: [],
    violations: [],
    content_sha256: 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9',
    content_size: 11,
    content: null,
    workflow_id: 'wf-1',
    agent: 'writer',
    platform: 'x',
    caller: 'key:evaluator-1',
    latency_ms: 3.25,
    response: { decision: 'PASS', allowed: true },
    ...overrides,
  };
}
