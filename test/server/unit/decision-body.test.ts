import { describe, expect, it } from 'vitest';
import type { EngineDecision, Violation } from '../../../engine/index.js';
import { evaluatedDecision, skippedDecision, withAuditFailure } from '../../../server/evaluations/decision-body.js';
import type { Mode } from '../../../contract/modes.js';

const policy = { pack: 'qa', version: '1.0.0', hash: 'sha256:abc' };
const ctx = (mode: Mode) => ({ request_id: 'req', receipt_id: 'rcpt', stage: 'prod', mode, policy });

const violation = (over: Partial<Violation> = {}): Violation => ({
  code: 'PROFANITY', check: 'profanity', severity: 'block', category: 'profanity', post: 0, span: [0, 4],
  message: 'Profanity', suggestedFix: 'Replace the word.', ...over,
});
const warning = violation({ code: 'LINE_TOO_LONG', check: 'line-length', severity: 'warn', category: 'format' });

const engine = (decision: 'PASS' | 'FAIL', violations: Violation[] = [], warnings: Violation[] = []): EngineDecision => ({
  decision, policy, checks: ['profanity', 'line-length'], violations, warnings, required_edits: [], sanitized: ['s'],
});

describe('decision body by mode × outcome', () => {
  const table = [
    // mode, engine outcome, allowed, error code, warnings count
    ['advisory', 'PASS', true, undefined, 1],
    ['advisory', 'FAIL', true, undefined, 2],
    ['enforced', 'PASS', true, undefined, 1],
    ['enforced', 'FAIL', false, 'QA_REJECTED', 1],
  ] as const;

  it.each(table)('%s + %s → allowed %s, error %s', (mode, outcome, allowed, code, warnings) => {
    const body = evaluatedDecision(ctx(mode), engine(outcome, outcome === 'FAIL' ? [violation()] : [], [warning]));
    expect(body.decision).toBe(outcome);
    expect(body.allowed).toBe(allowed);
    expect(body.error?.code).toBe(code);
    expect(body.warnings).toHaveLength(warnings);
    expect(body.checks).toEqual(['profanity', 'line-length']);
    expect(body.audit_ok).toBe(true);
    if (mode === 'advisory' && outcome === 'FAIL') expect(body.warnings).toContainEqual(violation());
  });

  it('off skips: nothing checked, allowed, content passed through', () => {
    const body = skippedDecision(ctx('off'), ['a', 'b']);
    expect(body).toMatchObject({ decision: 'SKIPPED', allowed: true, checks: [], violations: [], warnings: [], sanitized: ['a', 'b'] });
    expect(body.error).toBeUndefined();
  });

  it('enforced FAIL from a harmful check is HARMFUL_CONTENT with that check’s fix', () => {
    const harm = violation({ code: 'SELF_HARM', check: 'self-harm', category: 'harmful', suggestedFix: 'Reach out: call 988.' });
    const body = evaluatedDecision(ctx('enforced'), engine('FAIL', [violation(), harm]));
    expect(body.error).toMatchObject({ code: 'HARMFUL_CONTENT', suggestedFix: 'Reach out: call 988.' });
    expect(body.error?.details.violations).toHaveLength(2);
    expect(body.error?.message).toBe('Blocked by 2 violations: PROFANITY, SELF_HARM.');
  });

  it('an audit failure removes the receipt id; enforced refuses, advisory and off warn', () => {
    const enforced = withAuditFailure(evaluatedDecision(ctx('enforced'), engine('PASS')));
    expect(enforced).toMatchObject({ audit_ok: false, receipt_id: null, allowed: false, error: { code: 'AUDIT_UNAVAILABLE' } });
    const advisory = withAuditFailure(evaluatedDecision(ctx('advisory'), engine('FAIL', [violation()])));
    expect(advisory).toMatchObject({ audit_ok: false, receipt_id: null, allowed: true });
    expect(advisory.error).toBeUndefined();
    expect(advisory.warnings.map((w) => w.code)).toEqual(['PROFANITY', 'AUDIT_UNAVAILABLE']);
    const off = withAuditFailure(skippedDecision(ctx('off'), 'x'));
    expect(off).toMatchObject({ audit_ok: false, allowed: true, decision: 'SKIPPED' });
  });
});
