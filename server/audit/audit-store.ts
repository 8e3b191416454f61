import type { Knex } from 'knex';
import { AppError } from '../errors.js';
import type { DecisionStatus } from '../../contract/decision-status.js';
import type { Mode } from '../../contract/modes.js';
import { fromJson, toDate, toNumber, toStringArray } from '../db/driver-values.js';
import type { ChainHead } from './audit-chain.js';
import { createChainedInsert, type BatchPath } from './audit-insert.js';

export interface AuditRow {
  request_id: string;
  receipt_id: string | null;
  created_at: Date;
  stage: string;
  mode: Mode;
  pack_id: string;
  policy_version: string;
  policy_hash: string;
  decision: DecisionStatus;
  allowed: boolean;
  violation_codes: string[];
  /** Violations including warnings, as answered. */
  violations: unknown[];
  content_sha256: string;
  content_size: number;
  /** `text` (a string) or `thread` (an array), as the receipt's content_kind; null on rows older than the column. */
  content_kind?: 'text' | 'thread' | null;
  content: string | null;
  workflow_id: string | null;
  agent: string | null;
  platform: string | null;
  caller: string;
  /** Id of the API key that made the decision (only it, or an admin, reads it back); null on rows older than the column. */
  caller_key_id?: string | null;
  latency_ms: number;
  /** The decision body as answered (no receipt token). */
  response: Record<string, unknown>;
}

export interface AuditQuery {
  stage?: string;
  decision?: DecisionStatus;
  /** Rows whose violation_codes contain this code. */
  code?: string;
  workflow_id?: string;
  /** Inclusive: created_at >= from. */
  from?: Date;
  /** Exclusive: created_at < to, so that consecutive windows never overlap. */
  to?: Date;
  /** next_cursor of the previous page. */
  cursor?: string;
  /** Page size, clamped to 1..MAX_AUDIT_PAGE. */
  limit: number;
}

export interface AuditPage {
  rows: AuditRow[];
  /** null on the last page. */
  next_cursor: string | null;
}

/** A stored row with its place in the hash chain (audit-chain.ts); null links on rows written before the chain. */
export interface ChainedAuditRow extends AuditRow {
  chain: string | null;
  seq: number | null;
  prev_hash: string | null;
  row_hash: string | null;
}

export interface AuditStore {
  /**
   * One transaction: locks each stage's chain, links the rows to its head, one multi-row
   * INSERT. Rows whose request_id exists already are skipped (outbox replays). Resolves with how
   * the batch went (audit-insert.ts), nothing for an empty one.
   */
  insertMany(rows: AuditRow[]): Promise<BatchPath | void>;
  get(requestId: string): Promise<AuditRow | undefined>;
  /** Newest first, paged by an opaque cursor over (created_at, request_id). */
  query(q: AuditQuery): Promise<AuditPage>;
  /** Calls `listener` with each chain's new head after every committed insert; returns the unsubscribe. */
  watchHeads(listener: (heads: ChainHead[]) => void): () => void;
}

export const MAX_AUDIT_PAGE = 1000;
const TABLE = 'audit_events';

export function createAuditStore(knex: Knex): AuditStore {
  const watchers = new Set<(heads: ChainHead[]) => void>();
  const insertChained = createChainedInsert(knex, (heads) => {
    for (const watch of watchers) watch(heads);
  });
  return {
    watchHeads(listener) {
      watchers.add(listener);
      return () => watchers.delete(listener);
    },

    async insertMany(rows) {
      if (rows.length === 0) return;
      return insertChained(rows);
    },

    async get(requestId) {
      const row = await knex(TABLE).where({ request_id: requestId }).first();
      return row ? mapRow(row) : undefined;
    },

    async query(q) {
      const limit = Math.min(Math.max(Math.trunc(q.limit) || 1, 1), MAX_AUDIT_PAGE);
      const rows = await filtered(knex, q)
        .orderBy([
          { column: 'created_at', order: 'desc' },
          { column: 'request_id', order: 'desc' },
        ])
        .limit(limit + 1);
      const page = rows.slice(0, limit).map(mapRow);
      const last = page.at(-1);
      return { rows: page, next_cursor: rows.length > limit && last ? encodeCursor(last) : null };
    },
  };
}

function filtered(knex: Knex, q: AuditQuery): Knex.QueryBuilder {
  const b = knex(TABLE).select('*');
  if (q.stage !== undefined) b.where('stage', q.stage);
  if (q.decision !== undefined) b.where('decision', q.decision);
  if (q.workflow_id !== undefined) b.where('workflow_id', q.workflow_id);
  // @> so that the GIN index on violation_codes serves the filter.
  if (q.code !== undefined) b.whereRaw('violation_codes @> ARRAY[?]::text[]', [q.code]);
  if (q.from !== undefined) b.where('created_at', '>=', validDate(q.from, 'from'));
  if (q.to !== undefined) b.where('created_at', '<', validDate(q.to, 'to'));
  if (q.cursor !== undefined) {
    const c = decodeCursor(q.cursor);
    b.whereRaw('(created_at, request_id) < (?::timestamptz, ?)', [c.created_at, c.request_id]);
  }
  return b;
}

function validDate(d: Date, field: string): Date {
  if (!Number.isNaN(d.getTime())) return d;
  throw new AppError('INVALID_REQUEST', `\`${field}\` is not a valid time.`, {
    details: [{ path: field, message: 'expected an ISO 8601 date-time' }],
  });
}

interface Cursor {
  created_at: string;
  request_id: string;
}

// base64url of [created_at ISO, request_id]: opaque to callers, stable across instances.
function encodeCursor(row: AuditRow): string {
  return Buffer.from(JSON.stringify([row.created_at.toISOString(), row.request_id])).toString('base64url');
}

const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CURSOR_ID = /^[\x21-\x7e]{1,200}$/;

function decodeCursor(cursor: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [createdAt, requestId] = parsed as unknown[];
      // Exactly what encodeCursor writes: Date.parse('1') is a date (2001) that PostgreSQL refuses,
      // and a NUL in the request id is a byte PostgreSQL cannot take: both were 500s (issue 13).
      if (typeof createdAt === 'string' && typeof requestId === 'string' && CURSOR_TIME.test(createdAt) && CURSOR_ID.test(requestId)) {
        const time = new Date(createdAt);
        if (!Number.isNaN(time.getTime()) && time.toISOString() === createdAt) return { created_at: createdAt, request_id: requestId };
      }
    }
  } catch {
    // Falls through to the error below.
  }
  throw new AppError('INVALID_REQUEST', 'The cursor is not valid.', {
    details: [{ path: 'cursor', message: 'pass next_cursor from the previous page unchanged' }],
  });
}

export function mapRow(r: Record<string, unknown>): AuditRow {
  return {
    request_id: String(r.request_id),
    receipt_id: (r.receipt_id as string | null) ?? null,
    created_at: toDate(r.created_at),
    stage: String(r.stage),
    mode: r.mode as Mode,
    pack_id: String(r.pack_id),
    policy_version: String(r.policy_version),
    policy_hash: String(r.policy_hash),
    decision: r.decision as DecisionStatus,
    allowed: Boolean(r.allowed),
    violation_codes: toStringArray(r.violation_codes),
    violations: fromJson<unknown[]>(r.violations),
    content_sha256: String(r.content_sha256),
    content_size: toNumber(r.content_size),
    // Only when known, so rows written before the column read back exactly as they were written.
    ...(r.content_kind ? { content_kind: r.content_kind as 'text' | 'thread' } : {}),
    content: (r.content as string | null) ?? null,
    workflow_id: (r.workflow_id as string | null) ?? null,
    agent: (r.agent as string | null) ?? null,
    platform: (r.platform as string | null) ?? null,
    caller: String(r.caller),
    // Only when known, as content_kind.
    ...(r.caller_key_id ? { caller_key_id: String(r.caller_key_id) } : {}),
    latency_ms: toNumber(r.latency_ms),
    response: fromJson<Record<string, unknown>>(r.response),
  };
}

/** mapRow plus the chain columns, for the verifier. */
export function mapChainedRow(r: Record<string, unknown>): ChainedAuditRow {
  return {
    ...mapRow(r),
    chain: (r.chain as string | null) ?? null,
    seq: r.seq === null || r.seq === undefined ? null : toNumber(r.seq),
    prev_hash: (r.prev_hash as string | null) ?? null,
    row_hash: (r.row_hash as string | null) ?? null,
  };
}
