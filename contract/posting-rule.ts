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
