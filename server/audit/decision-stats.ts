/**
 * The figures behind the dashboard's Readiness charts, computed by the
 * database over audit_events (never by loading rows into memory): decisions
 * and rejection rate per time bucket, the latency distribution with
 * p50/p90/p99, and the most frequent violation codes.
 *
 * Definitions follow the readiness report of server/reports/ (rejection
 * rate = FAIL / (PASS + FAIL); latency over evaluated decisions only; the
 * same histogram bounds). The page uses that report for a single stage,
 * where it also gives the verdict, and these figures for "all stages",
 * which the report does not cover, or when the report is not served.
 */
import type { Knex } from 'knex';
import { toNumber } from '../db/driver-values.js';

/** Upper bounds (ms) of the latency histogram's buckets; a last bucket takes everything slower. */
export const LATENCY_BOUNDS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000] as const;
const TOP_CODES = 10;
const TABLE = 'audit_events';

export interface StatsQuery {
  stage?: string;
  from: Date;
  to: Date;
  buckets: number;
}

export interface SeriesPoint {
  start: string;
  decisions: number;
  pass: number;
  fail: number;
  skipped: number;
  blocked: number;
  /** FAIL / (PASS + FAIL): SKIPPED decisions were never evaluated; null when nothing was evaluated. */
  rejection_rate: number | null;
}

export interface DecisionStats {
  stage: string | null;
  from: string;
  to: string;
  bucket_seconds: number;
  totals: Omit<SeriesPoint, 'start'>;
  series: SeriesPoint[];
  latency: {
    count: number;
    p50: number | null;
    p90: number | null;
    p99: number | null;
    max: number | null;
    /** Latency in [from_ms, to_ms); `to_ms` null for the last, open-ended bucket. */
    histogram: { from_ms: number; to_ms: number | null; count: number }[];
  };
  top_codes: { code: string; count: number }[];
}

export function createDecisionStats(knex: Knex): (q: StatsQuery) => Promise<DecisionStats> {
  return async (q) => {
    const bucketSeconds = (q.to.getTime() - q.from.getTime()) / 1000 / q.buckets;
    const [series, totals, latency, histogram, codes] = await Promise.all([
      seriesRows(knex, q, bucketSeconds),
      totalRow(knex, q),
      latencyRow(knex, q),
      histogramRows(knex, q),
      topCodeRows(knex, q),
    ]);
    return {
      stage: q.stage ?? null,
      from: q.from.toISOString(),
      to: q.to.toISOString(),
      bucket_seconds: bucketSeconds,
      totals: counts(totals),
      series: fillSeries(series, q, bucketSeconds),
      latency: { ...latency, histogram: fillHistogram(histogram) },
      top_codes: codes.map((r) => ({ code: String(r.code), count: toNumber(r.count) })),
    };
  };
}

/** Latency is that of evaluations: SKIPPED decisions (mode off) evaluate nothing and would pull it down. */
function evaluated(knex: Knex, q: StatsQuery): Knex.QueryBuilder {
  return scoped(knex, q).whereIn('decision', ['PASS', 'FAIL']);
}

function scoped(knex: Knex, q: StatsQuery): Knex.QueryBuilder {
  const b = knex(TABLE).where('created_at', '>=', q.from).where('created_at', '<', q.to);
  if (q.stage !== undefined) b.where('stage', q.stage);
  return b;
}

const COUNT_COLUMNS = [
  'count(*) AS decisions',
  "count(*) FILTER (WHERE decision = 'PASS') AS pass",
  "count(*) FILTER (WHERE decision = 'FAIL') AS fail",
  "count(*) FILTER (WHERE decision = 'SKIPPED') AS skipped",
  'count(*) FILTER (WHERE NOT allowed) AS blocked',
];

type Row = Record<string, unknown>;

function seriesRows(knex: Knex, q: StatsQuery, bucketSeconds: number): Promise<Row[]> {
  const bucket = knex.raw('floor(extract(epoch from (created_at - ?::timestamptz)) / ?::float8)::int AS bucket', [q.from, bucketSeconds]);
  return scoped(knex, q)
    .select(bucket, ...COUNT_COLUMNS.map((c) => knex.raw(c)))
    .groupBy('bucket')
    .orderBy('bucket');
}

async function totalRow(knex: Knex, q: StatsQuery): Promise<Row> {
  const [row] = await scoped(knex, q).select(COUNT_COLUMNS.map((c) => knex.raw(c)));
  return row ?? {};
}

async function latencyRow(knex: Knex, q: StatsQuery): Promise<Omit<DecisionStats['latency'], 'histogram'>> {
  const pct = (p: number, name: string) => knex.raw(`percentile_cont(${p}) WITHIN GROUP (ORDER BY latency_ms) AS ${name}`);
  const [row] = await evaluated(knex, q).select(knex.raw('count(*) AS count'), pct(0.5, 'p50'), pct(0.9, 'p90'), pct(0.99, 'p99'), knex.raw('max(latency_ms) AS max'));
  const orNull = (v: unknown) => (v === null || v === undefined ? null : round(toNumber(v)));
  return { count: toNumber(row?.count ?? 0), p50: orNull(row?.p50), p90: orNull(row?.p90), p99: orNull(row?.p99), max: orNull(row?.max) };
}

function histogramRows(knex: Knex, q: StatsQuery): Promise<Row[]> {
  // Server constants, not input: safe to write into the statement.
  const bounds = `ARRAY[${LATENCY_BOUNDS_MS.join(',')}]::float8[]`;
  return evaluated(knex, q).select(knex.raw(`width_bucket(latency_ms, ${bounds}) AS bucket`), knex.raw('count(*) AS count')).groupBy('bucket');
}

function topCodeRows(knex: Knex, q: StatsQuery): Promise<Row[]> {
  return scoped(knex, q)
    .crossJoin(knex.raw('unnest(violation_codes) AS code'))
    .select('code', knex.raw('count(*) AS count'))
    .groupBy('code')
    .orderBy([{ column: 'count', order: 'desc' }, { column: 'code' }])
    .limit(TOP_CODES);
}

function counts(row: Row): Omit<SeriesPoint, 'start'> {
  const n = (k: string) => toNumber(row[k] ?? 0);
  const [pass, fail] = [n('pass'), n('fail')];
  return { decisions: n('decisions'), pass, fail, skipped: n('skipped'), blocked: n('blocked'), rejection_rate: rate(fail, pass + fail) };
}

/** Buckets with no decisions have no row: they are filled in as zeros so the chart keeps its time axis. */
function fillSeries(rows: Row[], q: StatsQuery, bucketSeconds: number): SeriesPoint[] {
  const byBucket = new Map(rows.map((r) => [toNumber(r.bucket), r]));
  return Array.from({ length: q.buckets }, (_, i) => ({
    start: new Date(q.from.getTime() + i * bucketSeconds * 1000).toISOString(),
    ...counts(byBucket.get(i) ?? {}),
  }));
}

/** width_bucket numbers 0 (below the first bound) … n (at or above the last); bucket i covers [bound i-1, bound i). */
function fillHistogram(rows: Row[]): DecisionStats['latency']['histogram'] {
  const byBucket = new Map(rows.map((r) => [toNumber(r.bucket), toNumber(r.count)]));
  return Array.from({ length: LATENCY_BOUNDS_MS.length + 1 }, (_, i) => ({
    from_ms: i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!,
    to_ms: i < LATENCY_BOUNDS_MS.length ? LATENCY_BOUNDS_MS[i]! : null,
    count: byBucket.get(i) ?? 0,
  }));
}

function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : round(part / whole);
}

function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
