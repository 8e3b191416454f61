/**
 * shadow_results (append-only) and the figures of the shadow report. Every figure is computed
 * by PostgreSQL over the stored rows (FILTER aggregates, unnest, window functions); the
 * examples' pinned side comes from the audit read model (shadow-report.ts).
 */
import type { Knex } from 'knex';
import type { Mode } from '../../contract/modes.js';
import { fromJson, toDate, toJsonb, toNumber, toStringArray } from '../db/driver-values.js';

export type EngineStatus = 'PASS' | 'FAIL';

/** A finding as stored: evidence already masked, never the content. */
export interface StoredFinding {
  code: string;
  check?: string;
  severity?: string;
  post?: number;
  evidence?: string;
}

export interface ShadowRow {
  request_id: string;
  stage: string;
  mode: Mode;
  pack_id: string;
  policy_version: string;
  policy_hash: string;
  decision: EngineStatus;
  violation_codes: string[];
  shadow_pack_id: string;
  shadow_version: string;
  shadow_hash: string | null;
  shadow_decision: EngineStatus | null;
  shadow_violation_codes: string[];
  shadow_violations: StoredFinding[];
  shadow_error: string | null;
  shadow_latency_ms: number | null;
  instance_id: string;
}

export interface ShadowReportQuery {
  stage: string;
  from?: Date;
  to?: Date;
  candidate?: { pack: string; version: string };
  /** Examples per kind of change. */
  examples: number;
  /** Add the stored content of the audit row to each example (only when content storage is on). */
  includeContent: boolean;
}

export type ShadowChangeKind = 'PASS_TO_FAIL' | 'FAIL_TO_PASS' | 'CODES_CHANGED';

export interface ShadowExample {
  kind: ShadowChangeKind;
  request_id: string;
  created_at: string;
  policy: string;
  candidate: string;
  decision: EngineStatus;
  shadow_decision: EngineStatus;
  gained: string[];
  lost: string[];
  /** Findings of the changed codes: `candidate` for gained codes, `pinned` for lost ones; evidence masked. */
  evidence: { side: 'candidate' | 'pinned'; code: string; post?: number; evidence?: string }[];
  content?: string | null;
}

export interface ShadowReport {
  stage: string;
  from: string | null;
  to: string | null;
  candidate: string | null;
  /** Evaluations for which the candidate ran (errors excluded). */
  compared: number;
  /** Evaluations for which the candidate could not run. */
  errors: number;
  same_decision: number;
  flips: { pass_to_fail: number; fail_to_pass: number };
  /** Same decision, other codes. */
  codes_changed: number;
  codes: { code: string; gained: number; lost: number; gained_in_pass_to_fail: number; lost_in_fail_to_pass: number }[];
  pairs: { policy: string; candidate: string; compared: number; errors: number }[];
  first_at: string | null;
  last_at: string | null;
  examples: ShadowExample[];
}

/** A changed decision as shadow_results holds it; shadow-report.ts adds the pinned side from the audit. */
export interface ShadowExampleRow {
  kind: ShadowChangeKind;
  request_id: string;
  created_at: string;
  policy: string;
  candidate: string;
  decision: EngineStatus;
  shadow_decision: EngineStatus;
  gained: string[];
  lost: string[];
  /** The candidate's findings (evidence masked when stored). */
  shadow_violations: StoredFinding[];
}

/** The report's figures from shadow_results alone: examples without the pinned side. */
export type ShadowFigures = Omit<ShadowReport, 'examples'> & { examples: ShadowExampleRow[] };

export interface ShadowStore {
  /** Idempotent on request_id. */
  insertMany(rows: ShadowRow[]): Promise<void>;
  report(q: Omit<ShadowReportQuery, 'includeContent'>): Promise<ShadowFigures>;
}

const TABLE = 'shadow_results';
// Arrays compared as sets: same codes in any order.
const SAME_CODES = '(s.violation_codes @> s.shadow_violation_codes AND s.violation_codes <@ s.shadow_violation_codes)';

export function createShadowStore(knex: Knex): ShadowStore {
  return {
    async insertMany(rows) {
      if (rows.length === 0) return;
      await knex(TABLE)
        .insert(rows.map((r) => ({ ...r, shadow_violations: toJsonb(r.shadow_violations) })))
        .onConflict('request_id')
        .ignore();
    },

    async report(q) {
      const where = ['s.stage = ?'];
      const bindings: Knex.RawBinding[] = [q.stage];
      if (q.from) {
        where.push('s.created_at >= ?');
        bindings.push(q.from);
      }
      if (q.to) {
        where.push('s.created_at < ?');
        bindings.push(q.to);
      }
      if (q.candidate) {
        where.push('s.shadow_pack_id = ? AND s.shadow_version = ?');
        bindings.push(q.candidate.pack, q.candidate.version);
      }
      const filter = where.join(' AND ');

      const totals = first(
        await knex.raw(
          `SELECT count(*) FILTER (WHERE s.shadow_decision IS NOT NULL) AS compared,
                  count(*) FILTER (WHERE s.shadow_decision IS NULL) AS errors,
                  count(*) FILTER (WHERE s.decision = s.shadow_decision) AS same_decision,
                  count(*) FILTER (WHERE s.decision = 'PASS' AND s.shadow_decision = 'FAIL') AS pass_to_fail,
                  count(*) FILTER (WHERE s.decision = 'FAIL' AND s.shadow_decision = 'PASS') AS fail_to_pass,
                  count(*) FILTER (WHERE s.decision = s.shadow_decision AND NOT ${SAME_CODES}) AS codes_changed,
                  min(s.created_at) AS first_at,
                  max(s.created_at) AS last_at
             FROM ${TABLE} s WHERE ${filter}`,
          bindings,
        ),
      );

      const codes = rowsOf(
        await knex.raw(
          `WITH s AS (SELECT * FROM ${TABLE} s WHERE ${filter} AND s.shadow_decision IS NOT NULL),
                d AS (
                  SELECT c AS code, 'gained' AS change, s.decision, s.shadow_decision
                    FROM s CROSS JOIN LATERAL unnest(s.shadow_violation_codes) AS c
                   WHERE NOT (c = ANY (s.violation_codes))
                  UNION ALL
                  SELECT c AS code, 'lost' AS change, s.decision, s.shadow_decision
                    FROM s CROSS JOIN LATERAL unnest(s.violation_codes) AS c
                   WHERE NOT (c = ANY (s.shadow_violation_codes)))
           SELECT code,
                  count(*) FILTER (WHERE change = 'gained') AS gained,
                  count(*) FILTER (WHERE change = 'lost') AS lost,
                  count(*) FILTER (WHERE change = 'gained' AND decision = 'PASS' AND shadow_decision = 'FAIL') AS gained_in_pass_to_fail,
                  count(*) FILTER (WHERE change = 'lost' AND decision = 'FAIL' AND shadow_decision = 'PASS') AS lost_in_fail_to_pass
             FROM d GROUP BY code ORDER BY code`,
          bindings,
        ),
      );

      const pairs = rowsOf(
        await knex.raw(
          `SELECT s.pack_id, s.policy_version, s.shadow_pack_id, s.shadow_version,
                  count(*) FILTER (WHERE s.shadow_decision IS NOT NULL) AS compared,
                  count(*) FILTER (WHERE s.shadow_decision IS NULL) AS errors
             FROM ${TABLE} s WHERE ${filter}
            GROUP BY s.pack_id, s.policy_version, s.shadow_pack_id, s.shadow_version
            ORDER BY s.pack_id, s.policy_version, s.shadow_pack_id, s.shadow_version`,
          bindings,
        ),
      );

      const examples =
        q.examples <= 0
          ? []
          : rowsOf(
              await knex.raw(
                `WITH changed AS (
                   SELECT s.*,
                          CASE WHEN s.decision = 'PASS' AND s.shadow_decision = 'FAIL' THEN 'PASS_TO_FAIL'
                               WHEN s.decision = 'FAIL' AND s.shadow_decision = 'PASS' THEN 'FAIL_TO_PASS'
                               ELSE 'CODES_CHANGED' END AS kind,
                          ARRAY(SELECT unnest(s.shadow_violation_codes) EXCEPT SELECT unnest(s.violation_codes) ORDER BY 1) AS gained,
                          ARRAY(SELECT unnest(s.violation_codes) EXCEPT SELECT unnest(s.shadow_violation_codes) ORDER BY 1) AS lost
                     FROM ${TABLE} s
                    WHERE ${filter} AND s.shadow_decision IS NOT NULL
                      AND (s.decision <> s.shadow_decision OR NOT ${SAME_CODES})),
                 ranked AS (
                   SELECT changed.*, row_number() OVER (PARTITION BY kind ORDER BY created_at DESC, request_id DESC) AS n FROM changed)
                 SELECT r.request_id, r.created_at, r.kind, r.pack_id, r.policy_version, r.shadow_pack_id, r.shadow_version,
                        r.decision, r.shadow_decision, r.gained, r.lost, r.shadow_violations
                   FROM ranked r
                  WHERE r.n <= ?
                  ORDER BY r.kind, r.created_at DESC, r.request_id DESC`,
                [...bindings, q.examples],
              ),
            );

      return {
        stage: q.stage,
        from: q.from?.toISOString() ?? null,
        to: q.to?.toISOString() ?? null,
        candidate: q.candidate ? `${q.candidate.pack}@${q.candidate.version}` : null,
        compared: toNumber(totals.compared ?? 0),
        errors: toNumber(totals.errors ?? 0),
        same_decision: toNumber(totals.same_decision ?? 0),
        flips: { pass_to_fail: toNumber(totals.pass_to_fail ?? 0), fail_to_pass: toNumber(totals.fail_to_pass ?? 0) },
        codes_changed: toNumber(totals.codes_changed ?? 0),
        codes: codes.map((c) => ({
          code: String(c.code),
          gained: toNumber(c.gained),
          lost: toNumber(c.lost),
          gained_in_pass_to_fail: toNumber(c.gained_in_pass_to_fail),
          lost_in_fail_to_pass: toNumber(c.lost_in_fail_to_pass),
        })),
        pairs: pairs.map((p) => ({
          policy: `${p.pack_id}@${p.policy_version}`,
          candidate: `${p.shadow_pack_id}@${p.shadow_version}`,
          compared: toNumber(p.compared),
          errors: toNumber(p.errors),
        })),
        first_at: totals.first_at ? toDate(totals.first_at).toISOString() : null,
        last_at: totals.last_at ? toDate(totals.last_at).toISOString() : null,
        examples: examples.map(toExampleRow),
      };
    },
  };
}

function toExampleRow(e: Record<string, unknown>): ShadowExampleRow {
  return {
    kind: e.kind as ShadowChangeKind,
    request_id: String(e.request_id),
    created_at: toDate(e.created_at).toISOString(),
    policy: `${e.pack_id}@${e.policy_version}`,
    candidate: `${e.shadow_pack_id}@${e.shadow_version}`,
    decision: e.decision as EngineStatus,
    shadow_decision: e.shadow_decision as EngineStatus,
    gained: toStringArray(e.gained),
    lost: toStringArray(e.lost),
    shadow_violations: fromJson<StoredFinding[] | null>(e.shadow_violations) ?? [],
  };
}

function rowsOf(result: unknown): Record<string, unknown>[] {
  return (result as { rows: Record<string, unknown>[] }).rows;
}

function first(result: unknown): Record<string, unknown> {
  return rowsOf(result)[0] ?? {};
}
