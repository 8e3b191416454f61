import type { Knex } from 'knex';
import type { DecisionStatus } from '../../contract/decision-status.js';
import type { Mode } from '../../contract/modes.js';
import { toDate, toNumber, toStringArray } from '../db/driver-values.js';
import type { ContentKind } from '../../contract/content-hash.js';

/** One override: a person allowed an enforced FAIL to be posted (append-only). */
export interface OverrideRecord {
  override_id: string;
  created_at: Date;
  request_id: string;
  overridden_receipt_id: string | null;
  stage: string;
  mode: Mode;
  pack_id: string;
  policy_version: string;
  policy_hash: string;
  decision: DecisionStatus;
  violation_codes: string[];
  content_sha256: string;
  content_kind: ContentKind;
  /** jti of the override receipt. */
  receipt_id: string;
  actor: string;
  reason: string;
  /** Label of the API key that asked for it. */
  caller: string;
}

export interface OverrideQuery {
  request_id?: string;
  stage?: string;
  limit: number;
}

export interface OverrideStore {
  /** Resolves once the row is committed; created_at defaults to the database's clock. */
  insert(record: Omit<OverrideRecord, 'created_at'> & { created_at?: Date }): Promise<OverrideRecord>;
  /** Newest first. */
  list(q: OverrideQuery): Promise<OverrideRecord[]>;
  /** Overrides of a stage with created_at in [from, until), and how many name an actor and a reason. */
  countInWindow(w: { stage: string; from: Date; until: Date }): Promise<{ count: number; logged: number }>;
}

const TABLE = 'overrides';
export const MAX_OVERRIDE_PAGE = 500;

export function createOverrideStore(knex: Knex): OverrideStore {
  return {
    async insert(record) {
      const [row] = await knex(TABLE).insert(toDbRow(record)).returning('*');
      return mapRow(row);
    },

    async list(q) {
      const b = knex(TABLE).select('*');
      if (q.request_id !== undefined) b.where('request_id', q.request_id);
      if (q.stage !== undefined) b.where('stage', q.stage);
      const limit = Math.min(Math.max(Math.trunc(q.limit) || 1, 1), MAX_OVERRIDE_PAGE);
      const rows = await b.orderBy([{ column: 'created_at', order: 'desc' }, { column: 'override_id', order: 'desc' }]).limit(limit);
      return rows.map(mapRow);
    },

    async countInWindow(w) {
      // The table's constraints already refuse an override without actor or reason; counting them
      // here measures the rule instead of assuming it (a restored archive, a hand-made row).
      const { rows } = await knex.raw(
        `SELECT count(*) AS count,
                count(*) FILTER (WHERE length(btrim(coalesce(actor, ''))) > 0 AND length(btrim(coalesce(reason, ''))) > 0) AS logged
           FROM ${TABLE} WHERE stage = ? AND created_at >= ? AND created_at < ?`,
        [w.stage, w.from, w.until],
      );
      return { count: toNumber(rows[0].count), logged: toNumber(rows[0].logged) };
    },
  };
}

// Columns listed one by one: extra properties must not reach the INSERT.
function toDbRow(r: Omit<OverrideRecord, 'created_at'> & { created_at?: Date }): Record<string, unknown> {
  return {
    // Omitted rather than undefined, so that the column default applies.
    ...(r.created_at !== undefined ? { created_at: r.created_at } : {}),
    override_id: r.override_id,
    request_id: r.request_id,
    overridden_receipt_id: r.overridden_receipt_id,
    stage: r.stage,
    mode: r.mode,
    pack_id: r.pack_id,
    policy_version: r.policy_version,
    policy_hash: r.policy_hash,
    decision: r.decision,
    violation_codes: r.violation_codes,
    content_sha256: r.content_sha256,
    content_kind: r.content_kind,
    receipt_id: r.receipt_id,
    actor: r.actor,
    reason: r.reason,
    caller: r.caller,
  };
}

function mapRow(r: Record<string, unknown>): OverrideRecord {
  return {
    override_id: String(r.override_id),
    created_at: toDate(r.created_at),
    request_id: String(r.request_id),
    overridden_receipt_id: (r.overridden_receipt_id as string | null) ?? null,
    stage: String(r.stage),
    mode: r.mode as Mode,
    pack_id: String(r.pack_id),
    policy_version: String(r.policy_version),
    policy_hash: String(r.policy_hash),
    decision: r.decision as DecisionStatus,
    violation_codes: toStringArray(r.violation_codes),
    content_sha256: String(r.content_sha256),
    content_kind: r.content_kind as ContentKind,
    receipt_id: String(r.receipt_id),
    actor: String(r.actor),
    reason: String(r.reason),
    caller: String(r.caller),
  };
}
