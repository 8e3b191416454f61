/**
 * The batch INSERT's one parameter: the rows as a JSON array, each row the very JCS text its
 * row_hash is over with that hash appended, hashed in batch order as the chains' heads advance.
 *
 * On pg it is sent as bytes in jsonb's binary format (a version byte, 1, then the JSON text), the
 * driver's format for a Buffer: each row is encoded to UTF-8 once, outside the JS heap, and hashed
 * as those bytes. As one string (~25 rows of ~6 kB at saturation) it was a large object that went
 * straight to the old generation with every batch, and was encoded twice (for its hash, then by
 * the driver; issue 14). PGlite is given the text.
 */
import { canonicalRow, chainOf, sha256Hex, type ChainLink } from './audit-chain.js';
import type { AuditRow } from './audit-store.js';

/** jsonb's binary input: its version byte, then the text (PostgreSQL's jsonb_recv). */
const JSONB_VERSION_1 = Buffer.of(1);
const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/** Hashes each row after its chain's current head, advancing `heads` (chain → the link the next row takes). */
export function batchParameter(rows: readonly AuditRow[], heads: Map<string, ChainLink>, binary: true): Buffer;
export function batchParameter(rows: readonly AuditRow[], heads: Map<string, ChainLink>, binary: false): string;
export function batchParameter(rows: readonly AuditRow[], heads: Map<string, ChainLink>, binary: boolean): Buffer | string {
  const texts: string[] = [];
  const pieces: Buffer[] = [JSONB_VERSION_1];
  for (const row of rows) {
    const chain = chainOf(row);
    const link = heads.get(chain)!;
    const text = canonicalRow(row, link);
    const bytes = binary ? Buffer.from(text, 'utf8') : undefined;
    const rowHash = sha256Hex(bytes ?? text);
    heads.set(chain, { chain, seq: link.seq + 1, prev_hash: rowHash });
    // The row's closing brace gives way to its hash: `…,"row_hash":"<hex>"}`.
    const tail = `,"row_hash":"${rowHash}"}`;
    if (bytes) pieces.push(pieces.length === 1 ? OPEN : COMMA, bytes.subarray(0, bytes.length - 1), Buffer.from(tail));
    else texts.push(text.slice(0, -1) + tail);
  }
  if (!binary) return `[${texts.join(',')}]`;
  pieces.push(rows.length === 0 ? Buffer.from('[]') : CLOSE);
  return Buffer.concat(pieces);
}
