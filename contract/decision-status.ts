/** A decision's status, uppercase (DESIGN.md): SKIPPED when the effective mode was off. */
export const DECISION_STATUSES = ['PASS', 'FAIL', 'SKIPPED'] as const;
export type DecisionStatus = (typeof DECISION_STATUSES)[number];
