/**
 * The audit hash chain (docs/decisions/0010-audit-hash-chain.md): every row
 * carries `prev_hash`, the `row_hash` of the row before it in its chain, and
 * its own `row_hash`, SHA-256 over the canonical JSON (JCS) encoding of every
 * column plus `prev_hash`. One chain per stage; `seq` numbers its rows 1, 2, …
 *
 * A row that was changed no longer matches its row_hash; a row deleted leaves
 * a hole in seq; a row inserted out of order does not link to the row before
 * it. The writer (audit-store.ts) computes hashes in the group-commit batch;
 * the verifier (audit-verify.ts) recomputes them with the same function.
 */
import { createHash } from 'node:crypto';
import type { AuditRow } from './audit-store.js';
import { canonicalJson } from './canonical-json.js';

/** prev_hash of the first row of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** Version of the encoding, hashed with the row: a later encoding can coexist with this one. */
const ENCODING = 1;

export interface ChainLink {
  chain: string;
  seq: number;
  prev_hash: string;
}

/** A chain's last row: kept outside the database, it lets `audit verify --heads` see rows cut off the end. */
export interface ChainHead {
  chain: string;
  seq: number;
  row_hash: string;
}

/** The chain a row belongs to: its stage. Stages are few, and `audit verify --stage S` walks one. */
export function chainOf(row: Pick<AuditRow, 'stage'>): string {
  return row.stage;
}

/**
 * SHA-256 (hex) of the row's canonical encoding. Values are hashed as the database gives
 * them back (dates as ISO strings, jsonb as parsed JSON, keys sorted by JCS), so the
 * verifier recomputes the same hash from what it reads.
 */
export function rowHash(row: AuditRow, link: ChainLink): string {
  return sha256Hex(canonicalRow(row, link));
}

/** SHA-256 (hex) of a text's UTF-8, or of bytes already encoded (batch-parameter.ts). */
export function sha256Hex(text: string | Uint8Array): string {
  return (typeof text === 'string' ? createHash('sha256').update(text, 'utf8') : createHash('sha256').update(text)).digest('hex');
}

/**
 * The JCS text that row_hash is the SHA-256 of: a JSON object whose keys are the table's
 * columns (plus `v`), so the writer can send this very text as the row (no second
 * serialisation; jsonb_populate_recordset ignores `v`).
 */
export function canonicalRow(row: AuditRow, link: ChainLink): string {
  const encoded = canonicalJson({
    // In JCS order already (so the top level is not copied again); any order would give the same text.
    agent: row.agent,
    allowed: row.allowed,
    caller: row.caller,
    caller_key_id: row.caller_key_id ?? null,
    chain: link.chain,
    content: row.content,
    content_kind: row.content_kind ?? null,
    content_sha256: row.content_sha256,
    content_size: row.content_size,
    created_at: row.created_at.toISOString(),
    decision: row.decision,
    latency_ms: row.latency_ms,
    mode: row.mode,
    pack_id: row.pack_id,
    platform: row.platform,
    policy_hash: row.policy_hash,
    policy_version: row.policy_version,
    prev_hash: link.prev_hash,
    receipt_id: row.receipt_id,
    request_id: row.request_id,
    response: row.response,
    seq: link.seq,
    stage: row.stage,
    v: ENCODING,
    violation_codes: row.violation_codes,
    violations: row.violations,
    workflow_id: row.workflow_id,
  });
  if (encoded === undefined) throw new TypeError('an audit row has no canonical encoding');
  return encoded;
}
