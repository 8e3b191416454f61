/**
 * Durations as operators write them in runbooks and on the command line:
 * `90m`, `72h`, `30d`. One parser for the readiness window and the
 * retention cut, so that both read the same way.
 */

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^([1-9][0-9]{0,5})(m|h|d)$/;

export class DurationError extends Error {
  constructor(readonly value: string) {
    super(`"${value}" is not a duration: write a whole number followed by m, h or d, such as 72h or 30d`);
    this.name = 'DurationError';
  }
}

/** Milliseconds of `72h`, `30d`, `90m`; throws DurationError otherwise. */
export function parseDuration(value: string): number {
  const match = DURATION.exec(value.trim());
  if (!match) throw new DurationError(value);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** Hours, for display. */
export function toHours(ms: number): number {
  return ms / UNIT_MS.h;
}
