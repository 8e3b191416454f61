/**
 * The audit figures of the readiness (burn-in) report: aggregates over
 * audit_events and agent_runs for one stage and window, computed by the
 * database (count … FILTER, percentile_cont, width_bucket). No audit row is
 * loaded into this process. Definitions: server/reports/readiness-report.ts.
 */
import type { Knex } from 'knex';
import { toNumber } from '../db/driver-values.js';
import { LATENCY_BOUNDS_MS } from './decision-stats.js';

/** created_at in [from, until) on one stage. */
export interface AuditWindow {
  stage: string;
  from: Date;
  until: Date;
}

export interface SeriesFigures {
  bucket_seconds: number;
  buckets: { start: string; decisions: number; pass: number; fail: number; skipped: number; blocked: number; p90: number | null }[];
}

export interface HistogramBucket {
  from_ms: number;
  to_ms: number | null;
  count: number;
}

export interface ReadinessFigures {
  decisions: Awaited<ReturnType<typeof decisionTotals>>;
  byCode: { code: string; decisions: number }[];
  coverage: { workflows: number; covered: number; uncovered: string[] };
  agentRuns: { total: number; failed: number };
  series: SeriesFigures;
  histogram: HistogramBucket[];
}

const UNCOVERED_EXAMPLES = 10;
const EVALUATED = "decision IN ('PASS', 'FAIL')";
const IN_WINDOW = 'stage = ? AND created_at >= ? AND created_at < ?';
const inWindow = (w: AuditWindow) => [w.stage, w.from, w.until];

type Row = Record<string, unknown>;

/** Every audit figure of the report, on `db` (the report's read-only snapshot transaction). */
export async function readinessFigures(db: Knex, w: AuditWindow, bucketSeconds: number): Promise<ReadinessFigures> {
  return {
    decisions: await decisionTotals(db, w),
    byCode: await rejectionsByCode(db, w),
    coverage: await telemetryCoverage(db, w),
    agentRuns: await agentRunTotals(db, w),
    series: await timeSeries(db, w, bucketSeconds),
    histogram: await latencyHistogram(db, w),
  };
}

async function decisionTotals(db: Knex, w: AuditWindow) {
  const pct = (p: number) => `percentile_cont(${p}) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE ${EVALUATED})`;
  const { rows } = await db.raw(
    `SELECT count(*) AS total,
            count(*) FILTER (WHERE decision = 'PASS') AS pass,
            count(*) FILTER (WHERE decision = 'FAIL') AS fail,
            count(*) FILTER (WHERE decision = 'SKIPPED') AS skipped,
            count(*) FILTER (WHERE NOT allowed) AS blocked,
            count(*) FILTER (WHERE mode = 'off') AS off,
            count(*) FILTER (WHERE mode = 'advisory') AS advisory,
            count(*) FILTER (WHERE mode = 'enforced') AS enforced,
            count(*) FILTER (WHERE response->>'audit_ok' = 'false') AS deferred,
            ${pct(0.5)} AS p50, ${pct(0.9)} AS p90, ${pct(0.99)} AS p99,
            max(latency_ms) FILTER (WHERE ${EVALUATED}) AS max
       FROM audit_events WHERE ${IN_WINDOW}`,
    inWindow(w),
  );
  const r = rows[0] as Row;
  const n = (k: string) => toNumber(r[k] ?? 0);
  return {
    total: n('total'), pass: n('pass'), fail: n('fail'), skipped: n('skipped'), blocked: n('blocked'),
    off: n('off'), advisory: n('advisory'), enforced: n('enforced'), deferred: n('deferred'),
    p50: orNull(r.p50), p90: orNull(r.p90), p99: orNull(r.p99), max: orNull(r.max),
  };
}

async function rejectionsByCode(db: Knex, w: AuditWindow): Promise<{ code: string; decisions: number }[]> {
  // One count per decision and code, however many spans of the code the decision has.
  const { rows } = await db.raw(
    `SELECT v->>'code' AS code, count(DISTINCT a.request_id) AS decisions
       FROM audit_events a CROSS JOIN LATERAL jsonb_array_elements(a.violations) AS v
      WHERE a.stage = ? AND a.created_at >= ? AND a.created_at < ?
        AND a.decision = 'FAIL' AND v->>'severity' = 'block' AND v->>'code' IS NOT NULL
      GROUP BY 1 ORDER BY decisions DESC, code`,
    inWindow(w),
  );
  return (rows as Row[]).map((r) => ({ code: String(r.code), decisions: toNumber(r.decisions) }));
}

async function telemetryCoverage(db: Knex, w: AuditWindow) {
  const cte = `WITH runs AS (
      SELECT DISTINCT workflow_id FROM agent_runs WHERE created_at >= ? AND created_at < ?
    ), decided AS (
      SELECT DISTINCT workflow_id FROM audit_events WHERE ${IN_WINDOW} AND workflow_id IS NOT NULL
    )`;
  const bindings = [w.from, w.until, ...inWindow(w)];
  const { rows } = await db.raw(
    `${cte} SELECT (SELECT count(*) FROM runs) AS workflows,
                   (SELECT count(*) FROM runs JOIN decided USING (workflow_id)) AS covered`,
    bindings,
  );
  const uncovered = await db.raw(
    `${cte} SELECT workflow_id FROM runs WHERE workflow_id NOT IN (SELECT workflow_id FROM decided)
             ORDER BY workflow_id LIMIT ${UNCOVERED_EXAMPLES}`,
    bindings,
  );
  return {
    workflows: toNumber(rows[0].workflows),
    covered: toNumber(rows[0].covered),
    uncovered: (uncovered.rows as Row[]).map((r) => String(r.workflow_id)),
  };
}

async function agentRunTotals(db: Knex, w: AuditWindow) {
  const { rows } = await db.raw(
    'SELECT count(*) AS total, count(*) FILTER (WHERE NOT success) AS failed FROM agent_runs WHERE created_at >= ? AND created_at < ?',
    [w.from, w.until],
  );
  return { total: toNumber(rows[0].total), failed: toNumber(rows[0].failed) };
}

async function timeSeries(db: Knex, w: AuditWindow, bucketSeconds: number): Promise<SeriesFigures> {
  // Buckets aligned on UTC multiples of their size (whole hours), so two reports line up;
  // the first and the last may be partly outside the window (their rows are not counted).
  const base = Math.floor(w.from.getTime() / 1000 / bucketSeconds) * bucketSeconds;
  const count = Math.max(1, Math.ceil((w.until.getTime() / 1000 - base) / bucketSeconds));
  const { rows } = await db.raw(
    `WITH b AS (SELECT generate_series(0, ? - 1) AS i),
          d AS (
            SELECT floor((extract(epoch FROM created_at) - ?) / ?)::int AS i, decision, allowed, latency_ms
              FROM audit_events WHERE ${IN_WINDOW}
          )
     SELECT b.i, count(d.i) AS decisions,
            count(*) FILTER (WHERE d.decision = 'PASS') AS pass,
            count(*) FILTER (WHERE d.decision = 'FAIL') AS fail,
            count(*) FILTER (WHERE d.decision = 'SKIPPED') AS skipped,
            count(*) FILTER (WHERE d.allowed = false) AS blocked,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY d.latency_ms) FILTER (WHERE d.${EVALUATED}) AS p90
       FROM b LEFT JOIN d ON d.i = b.i
      GROUP BY b.i ORDER BY b.i`,
    [count, base, bucketSeconds, ...inWindow(w)],
  );
  return {
    bucket_seconds: bucketSeconds,
    buckets: (rows as Row[]).map((r) => ({
      start: new Date((base + toNumber(r.i) * bucketSeconds) * 1000).toISOString(),
      decisions: toNumber(r.decisions),
      pass: toNumber(r.pass),
      fail: toNumber(r.fail),
      skipped: toNumber(r.skipped),
      blocked: toNumber(r.blocked),
      p90: orNull(r.p90),
    })),
  };
}

async function latencyHistogram(db: Knex, w: AuditWindow): Promise<HistogramBucket[]> {
  // Server constants, not input: safe to write into the statement. width_bucket numbers
  // 0 (below the first bound) … n (at or above the last); bucket i covers [bound i-1, bound i).
  const bounds = `ARRAY[${LATENCY_BOUNDS_MS.join(',')}]::float8[]`;
  const { rows } = await db.raw(
    `WITH h AS (
       SELECT width_bucket(latency_ms, ${bounds}) AS i, count(*) AS n
         FROM audit_events WHERE ${IN_WINDOW} AND ${EVALUATED}
        GROUP BY 1
     )
     SELECT b.i, coalesce(h.n, 0) AS count
       FROM generate_series(0, ${LATENCY_BOUNDS_MS.length}) AS b(i) LEFT JOIN h ON h.i = b.i
      ORDER BY b.i`,
    inWindow(w),
  );
  return (rows as Row[]).map((r) => {
    const i = toNumber(r.i);
    return {
      from_ms: i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!,
      to_ms: i < LATENCY_BOUNDS_MS.length ? LATENCY_BOUNDS_MS[i]! : null,
      count: toNumber(r.count),
    };
  });
}

function orNull(v: unknown): number | null {
  return v === null || v === undefined ? null : toNumber(v);
}
