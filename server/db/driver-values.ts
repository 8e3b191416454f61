// Driver differences between pg and PGlite, settled in one place so stores stay small:
// pg returns bigint/count as strings and PGlite as numbers; both parse jsonb and
// timestamptz, but a value that went through a cast or a raw query may come back as text.

/** A count, bigint or numeric column value as a JS number. */
export function toNumber(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) throw new TypeError(`expected a number from the database, got ${String(value)}`);
  return n;
}

/** A timestamptz column value as a Date. */
export function toDate(value: unknown): Date {
  const d = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(d.getTime())) throw new TypeError(`expected a timestamp from the database, got ${String(value)}`);
  return d;
}

export function toDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}

/** A jsonb column value as parsed JSON. */
export function fromJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/**
 * A value to bind to a jsonb column. Always serialised: pg would otherwise turn a JS array
 * into a PostgreSQL array literal, which jsonb rejects.
 */
export function toJsonb(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** A text[] column value as a string array (pg and PGlite both parse text[] into arrays). */
export function toStringArray(value: unknown): string[] {
  if (!Array.isArray(value)) throw new TypeError(`expected a text[] from the database, got ${String(value)}`);
  return value.map(String);
}
