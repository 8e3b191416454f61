// The row as stored with content off (server/audit/content-redaction.ts): a finding repeated in
// several lists is redacted once and shared, and the stored row reads exactly as if each list had
// been redacted on its own.
import { describe, expect, it } from 'vitest';
import { NOT_STORED_FIX, storedForm } from '../../../server/audit/content-redaction.js';
import { auditRow } from '../../helpers/audit-rows.js';

function finding(n: number) {
  return { code: 'PROFANITY', check: 'profanity', severity: 'block', post: 0, message: `Post 1 contains profanity (f**k ${n}).`, suggestedFix: `Replace "f**k ${n}".`, span: [n, n + 4], evidence: `f**k ${n}` };
}

/** An advisory row: its violations repeated as warnings (the same objects), and again in the row's own list. */
function advisoryRow() {
  const violations = [finding(1), finding(2)];
  return auditRow({
    request_id: 'r-1',
    mode: 'advisory',
    decision: 'FAIL',
    violations: [...violations],
    response: { request_id: 'r-1', decision: 'FAIL', violations, warnings: [...violations, { code: 'NOTE', message: 'm', suggestedFix: 'f' }], sanitized: ['f*** 1 f*** 2'] },
  });
}

describe('storedForm', () => {
  it('redacts a finding met in several lists as it redacts one met once', () => {
    const row = advisoryRow();
    // The same row with no object shared between its lists.
    const unshared = structuredClone(row);
    expect(JSON.stringify(storedForm(row))).toBe(JSON.stringify(storedForm(unshared)));
  });

  it('leaves no evidence, message or fix of the content in any list', () => {
    const stored = storedForm(advisoryRow());
    const response = stored.response as { violations: Record<string, unknown>[]; warnings: Record<string, unknown>[]; sanitized: unknown[] };
    for (const f of [...stored.violations, ...response.violations, ...response.warnings.slice(0, 2)] as Record<string, unknown>[]) {
      expect(f.evidence).toBeUndefined();
      expect(f.suggestedFix).toBe(NOT_STORED_FIX);
      expect(f.message).toBe('PROFANITY (check profanity, post 1).');
    }
    expect(response.sanitized).toEqual([]);
    expect(JSON.stringify(stored)).not.toContain('f**k');
  });
});
