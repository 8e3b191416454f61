/**
 * The posting rule, in one pure module: the service answers `allowed_to_post`
 * with it and the client (offline verification, posting gate) decides with
 * it, so the two can never disagree. No I/O, no runtime imports.
 */
import type { DecisionStatus } from './decision-status.js';
import type { Mode } from './modes.js';

/** The claims the rule reads. */
export interface PostingClaims {
  decision: DecisionStatus;
  mode: Mode;
  override?: boolean;
}

/**
 * DESIGN.md: a posting service accepts a PASS, or any decision made under
 * off or advisory, and refuses an enforced FAIL unless the receipt is an
 * override receipt.
 */
export function allowedToPost(claims: PostingClaims): boolean {
  return claims.decision === 'PASS' || claims.mode === 'off' || claims.mode === 'advisory' || claims.override === true;
}

/**
 * What a receipt is checked against besides its content (issue 13): the stage(s) and the
 * platform(s) the posting service posts for. A receipt is a decision *for one stage and one
 * platform*: an advisory `dev` or `off` `sandbox` decision, or a PASS under another
 * platform's length rules, says nothing about the stage or platform posted to. Absent
 * members are not checked (the verify endpoint and offline verification without them answer
 * as before); the posting gate always sets both, or opens them explicitly.
 */
export interface ReceiptExpectation {
  stage?: string | readonly string[];
  platform?: string | readonly string[];
}

export interface BindingMismatch {
  code: 'RECEIPT_STAGE_MISMATCH' | 'RECEIPT_PLATFORM_MISMATCH';
  message: string;
  details: { expected: string[]; actual: string | null };
}

/**
 * The first binding the claims fail, stage before platform; undefined when they match.
 * A receipt without the claim (a platform-less receipt signed before receipts carried one)
 * never matches an expected value: fail closed.
 */
export function bindingMismatch(claims: { stage?: unknown; platform?: unknown }, expected: ReceiptExpectation = {}): BindingMismatch | undefined {
  const checks = [
    ['stage', expected.stage, claims.stage, 'RECEIPT_STAGE_MISMATCH'],
    ['platform', expected.platform, claims.platform, 'RECEIPT_PLATFORM_MISMATCH'],
  ] as const;
  for (const [name, want, got, code] of checks) {
    if (want === undefined) continue;
    const allowed = typeof want === 'string' ? [want] : [...want];
    const actual = typeof got === 'string' ? got : null;
    if (actual !== null && allowed.includes(actual)) continue;
    return {
      code,
      message: actual === null
        ? `The receipt names no ${name}; this service posts only for ${name} ${allowed.join(', ')}.`
        : `The receipt was issued for ${name} ${actual}; this service posts only for ${name} ${allowed.join(', ')}.`,
      details: { expected: allowed, actual },
    };
  }
  return undefined;
}
