/**
 * Modes, defined once (DESIGN.md, Modes): what each mode does, and what a
 * stage's pinned mode becomes once the kill switch and the ceiling have had
 * their say. The service applies it; the client reads it from receipts.
 */

export const MODES = ['off', 'advisory', 'enforced'] as const;
export type Mode = (typeof MODES)[number];

/** The mode a new stage gets when its first pin names none. */
export const DEFAULT_MODE: Mode = 'off';

export interface ModeCaps {
  /** Thrown: every stage runs `off`. */
  killSwitch: boolean;
  /** Highest mode allowed anywhere (`enforced` = no cap). */
  ceiling: Mode;
}

const rank: Record<Mode, number> = { off: 0, advisory: 1, enforced: 2 };

/** Effective mode = pinned mode, capped by the kill switch (→ off) and by the ceiling. */
export function effectiveMode(pinned: Mode, caps: ModeCaps): Mode {
  if (caps.killSwitch) return 'off';
  return rank[pinned] <= rank[caps.ceiling] ? pinned : caps.ceiling;
}

/** What each mode does with a decision (DESIGN.md, Modes). */
export const MODE_BEHAVIOUR: Record<Mode, { evaluates: boolean; canBlock: boolean }> = {
  off: { evaluates: false, canBlock: false },
  advisory: { evaluates: true, canBlock: false },
  enforced: { evaluates: true, canBlock: true },
};
