/**
 * The batch INSERT's one parameter: the rows as a JSON array, each row the very JCS text its
 * row_hash is over with that hash appended, hashed in batch order as the chains' heads advance.
 *
 * On pg it is sent as bytes in jsonb's binary format (a version byte, 1, then the JSON text), the
 * driver's format for a Buffer: every row is encoded to UTF-8 straight into one Buffer, outside
 * the JS heap. As one string (~25 rows of ~6 kB at saturation) it was a large object that went
 * straight to the old generation with every batch, and was encoded twice (for its hash, then by
 * the driver); a Buffer per row joined by Buffer.concat made an allocation per row and copied
 * each row twice (issue 14). PGlite is given the text.
 */
import { canonicalRow, chainOf, sha256Hex, type ChainLink } from './audit-chain.js';
import type { AuditRow } from './audit-store.js';

/** jsonb's binary input: its version byte (PostgreSQL's jsonb_recv). */
const JSONB_VERSION_1 = 1;
const OPEN = 0x5b; // [
const COMMA = 0x2c; // ,
const CLOSE = 0x5d; // ]

/** Hashes each row after its chain's current head, advancing `heads` (chain → the link the next row takes). */
export function batchParameter(rows: readonly AuditRow[], heads: Map<string, ChainLink>, binary: true): Buffer;
export function batchParameter(rows: readonly AuditRow[], heads: Map<string, ChainLink>, binary: false): string;
export function batchParameter(rows: readonly AuditRow[], heads: Map<string, ChainLink>, binary: boolean): Buffer | string {
  // Each row's text without its closing brace, then its hash and the brace: `…,"row_hash":"<hex>"}`.
  const texts: string[] = [];
  const tails: string[] = [];
  for (const row of rows) {
    const chain = chainOf(row);
    const link = heads.get(chain)!;
    const text = canonicalRow(row, link);
    // The hash of the text's UTF-8, the bytes written below.
    const rowHash = sha256Hex(text);
    heads.set(chain, { chain, seq: link.seq + 1, prev_hash: rowHash });
    texts.push(text);
    tails.push(`,"row_hash":"${rowHash}"}`);
  }
  if (!binary) return `[${texts.map((text, i) => text.slice(0, -1) + tails[i]).join(',')}]`;
  return jsonbBytes(texts, tails);
}

/** Version byte, `[`, each text but its last character followed by its tail, `,` between rows, `]`. */
function jsonbBytes(texts: readonly string[], tails: readonly string[]): Buffer {
  let size = 3; // version byte, [ and ]
  for (let i = 0; i < texts.length; i++) size += Buffer.byteLength(texts[i]!, 'utf8') - 1 + tails[i]!.length + (i > 0 ? 1 : 0);
  const out = Buffer.allocUnsafe(size);
  out[0] = JSONB_VERSION_1;
  out[1] = OPEN;
  let at = 2;
  for (let i = 0; i < texts.length; i++) {
    if (i > 0) out[at++] = COMMA;
    // The text's last character is its closing brace, one byte: the tail writes over it.
    at += out.write(texts[i]!, at, 'utf8') - 1;
    at += out.write(tails[i]!, at, 'latin1');
  }
  out[at++] = CLOSE;
  return out;
}
