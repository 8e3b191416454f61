/**
 * The readiness (burn-in) report of one stage over a window: the measured
 * case for each step of off → advisory → enforced (docs/rollout.md).
 *
 * Every figure is an aggregate computed by the database (count … FILTER,
 * percentile_cont, width_bucket, window functions over the pin history):
 * no audit row is loaded into this process, so the report costs the same
 * memory over an hour or over a month of decisions. All statements run in
 * one REPEATABLE READ, READ ONLY transaction, so the figures describe one
 * snapshot even while decisions keep arriving.
 *
 * Definitions (the test in test/server/rollout/readiness.test.ts counts the
 * same rows by hand):
 *   - window: created_at in [until − window, until);
 *   - evaluated decisions: PASS + FAIL (SKIPPED ones were never evaluated);
 *   - rejection rate: FAIL / evaluated; by code: FAIL decisions with at least
 *     one violation of the code whose severity is `block`, over evaluated;
 *   - latency: percentile_cont over latency_ms of evaluated decisions;
 *   - telemetry coverage: workflows with an agent run in the window that also
 *     have a decision on this stage in the window, over workflows with an
 *     agent run in the window (agent runs carry no stage);
 *   - agent failure rate: agent runs in the window with success = false,
 *     over all agent runs in the window;
 *   - mode hours: time of the window under each pinned mode, from
 *     stage_pin_history.
 */
import type { Knex } from 'knex';
import type { ReadinessThresholds } from '../config.js';
import type { Mode } from '../../contract/modes.js';
import { toNumber } from '../db/driver-values.js';
import { AppError } from '../errors.js';
import type { ReadinessReportBody } from '../../contract/schemas/reports.js';
import { parseDuration, toHours } from '../lib/duration.js';

export interface ReadinessQuery {
  stage: string;
  /** `72h`, `3d`, `90m`. @defaultValue '72h' */
  window?: string;
  /** End of the window (exclusive). @defaultValue now */
  until?: Date;
}

export type ReadinessReporter = (q: ReadinessQuery) => Promise<ReadinessReportBody>;

export const DEFAULT_WINDOW = '72h';
const MAX_WINDOW_MS = 366 * 86_400_000;
/** Upper bounds (ms) of the latency histogram's buckets, as the dashboard's; a last bucket takes the rest. */
export const LATENCY_BOUNDS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000] as const;
const UNCOVERED_EXAMPLES = 10;
const EVALUATED = "decision IN ('PASS', 'FAIL')";

type Row = Record<string, unknown>;
type ThresholdCheck = ReadinessReportBody['verdict']['enter_enforced']['checks'][number];

export function createReadinessReporter(deps: { knex: Knex; thresholds: ReadinessThresholds; now?: () => Date }): ReadinessReporter {
  const now = deps.now ?? (() => new Date());
  return async (q) => {
    const spec = q.window ?? DEFAULT_WINDOW;
    const windowMs = windowOf(spec);
    const until = q.until ?? now();
    if (Number.isNaN(until.getTime())) throw invalid('until', 'expected an ISO 8601 date-time');
    const from = new Date(until.getTime() - windowMs);
    const w = { stage: q.stage, from, until };

    const figures = await deps.knex.transaction(async (trx) => {
      // One snapshot for every figure; nothing here writes.
      await trx.raw('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const pin = await trx('stage_pins').where({ stage: q.stage }).first('pack_id', 'version', 'mode');
      if (!pin) {
        const [{ n }] = await trx('stage_pin_history').where({ stage: q.stage }).count({ n: '*' });
        if (toNumber(n) === 0) {
          throw new AppError('STAGE_NOT_FOUND', `Stage "${q.stage}" has never been pinned.`, { details: { stage: q.stage } });
        }
      }
      return {
        pin: pin as { pack_id: string; version: string; mode: Mode } | undefined,
        decisions: await decisionTotals(trx, w),
        byCode: await rejectionsByCode(trx, w),
        coverage: await telemetryCoverage(trx, w),
        agentRuns: await agentRunTotals(trx, w),
        overrides: await overrideTotals(trx, w),
        modeSeconds: await modeSeconds(trx, w),
        series: await timeSeries(trx, w, bucketSecondsFor(windowMs)),
        histogram: await latencyHistogram(trx, w),
      };
    });

    const d = figures.decisions;
    const evaluated = d.pass + d.fail;
    const coverageRatio = ratio(figures.coverage.covered, figures.coverage.workflows);
    const failureRatio = ratio(figures.agentRuns.failed, figures.agentRuns.total);
    const modeHours = {
      off: toHours((figures.modeSeconds.off ?? 0) * 1000),
      advisory: toHours((figures.modeSeconds.advisory ?? 0) * 1000),
      enforced: toHours((figures.modeSeconds.enforced ?? 0) * 1000),
    };
    const windowHours = toHours(windowMs);
    const unpinned = Math.max(0, windowHours - modeHours.off - modeHours.advisory - modeHours.enforced);
    const unlogged = figures.overrides.count - figures.overrides.logged;
    const t = deps.thresholds;

    const enter = thresholdSet([
      check('coverage', `telemetry coverage ≥ ${t.enterMinCoveragePct} %`, pct(coverageRatio), '>=', t.enterMinCoveragePct, 'percent',
        coverageRatio === null ? 'no workflow reported an agent run in the window' : undefined),
      check('p90_latency', `p90 evaluate latency < ${t.enterMaxP90Ms} ms`, d.p90, '<', t.enterMaxP90Ms, 'ms',
        d.p90 === null ? 'no evaluated decision in the window' : undefined),
      check('advisory_hours', `at least ${t.enterMinAdvisoryHours} h pinned advisory in the window`, modeHours.advisory, '>=', t.enterMinAdvisoryHours, 'hours',
        windowHours < t.enterMinAdvisoryHours ? `the window (${spec}) is shorter than the required advisory time: ask for a longer window` : undefined),
    ]);
    const stay = thresholdSet([
      check('agent_failure_rate', `agent failure rate < ${t.stayMaxAgentFailurePct} %`, pct(failureRatio), '<', t.stayMaxAgentFailurePct, 'percent',
        failureRatio === null ? 'no agent run in the window' : undefined),
      check('coverage', `telemetry coverage ≥ ${t.stayMinCoveragePct} %`, pct(coverageRatio), '>=', t.stayMinCoveragePct, 'percent',
        coverageRatio === null ? 'no workflow reported an agent run in the window' : undefined),
      check('overrides_logged', 'every override logged with actor and reason', unlogged, '==', 0, 'count',
        `${figures.overrides.count} override(s) in the window; measured: overrides without actor or reason`),
    ]);
    const applies = figures.pin?.mode === 'enforced' ? 'stay_enforced' : 'enter_enforced';

    return {
      stage: q.stage,
      window: { spec, from: from.toISOString(), until: until.toISOString(), hours: windowHours },
      generated_at: now().toISOString(),
      pin: figures.pin ? { pack: String(figures.pin.pack_id), version: String(figures.pin.version), mode: figures.pin.mode } : null,
      decisions: {
        total: d.total, pass: d.pass, fail: d.fail, skipped: d.skipped, blocked: d.blocked, evaluated,
        by_mode: { off: d.off, advisory: d.advisory, enforced: d.enforced },
      },
      telemetry_coverage: {
        workflows_with_agent_runs: figures.coverage.workflows,
        workflows_with_decision: figures.coverage.covered,
        ratio: round(coverageRatio),
        uncovered_examples: figures.coverage.uncovered,
      },
      rejections: {
        evaluated,
        rejected: d.fail,
        rate: round(ratio(d.fail, evaluated)),
        by_code: figures.byCode.map((c) => ({ code: c.code, decisions: c.decisions, rate: round(ratio(c.decisions, evaluated)) })),
      },
      latency_ms: { basis: 'evaluated decisions (PASS, FAIL)', count: evaluated, p50: ms(d.p50), p90: ms(d.p90), p99: ms(d.p99), max: ms(d.max) },
      agent_runs: { total: figures.agentRuns.total, failed: figures.agentRuns.failed, failure_rate: round(failureRatio) },
      overrides: { count: figures.overrides.count, with_actor_and_reason: figures.overrides.logged, all_logged: unlogged === 0 },
      audit_write_failures: {
        count: d.deferred,
        source: 'audit rows of this stage replayed from the durable outbox (stored with response.audit_ok = false)',
        note: 'Decisions whose row reached neither the database nor the outbox are not persisted anywhere; they are counted only by gatehouse_audit_write_failures_total on /metrics.',
      },
      mode_hours: { ...mapValues(modeHours, hours), unpinned: hours(unpinned) },
      verdict: { applies, ready: (applies === 'stay_enforced' ? stay : enter).pass, enter_enforced: enter, stay_enforced: stay },
      series: figures.series,
      latency_histogram: { basis: 'evaluated decisions (PASS, FAIL)', buckets: figures.histogram },
      notes: [
        'Agent runs carry no stage: coverage and the agent failure rate count every agent run reported in the window.',
        'Mode hours follow the pinned mode (stage pin history); the kill switch and GATEHOUSE_MODE_CEILING can lower the effective mode, which decisions.by_mode shows.',
        'Latency is the service time recorded in each audit row (engine and decision, before the audit commit).',
      ],
    };
  };
}

// ---- The statements ------------------------------------------------------------------------------

interface Window {
  stage: string;
  from: Date;
  until: Date;
}

const IN_WINDOW = 'stage = ? AND created_at >= ? AND created_at < ?';
const inWindow = (w: Window) => [w.stage, w.from, w.until];

async function decisionTotals(trx: Knex.Transaction, w: Window) {
  const pct = (p: number) => `percentile_cont(${p}) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE ${EVALUATED})`;
  const { rows } = await trx.raw(
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

async function rejectionsByCode(trx: Knex.Transaction, w: Window): Promise<{ code: string; decisions: number }[]> {
  // One count per decision and code, however many spans of the code the decision has.
  const { rows } = await trx.raw(
    `SELECT v->>'code' AS code, count(DISTINCT a.request_id) AS decisions
       FROM audit_events a CROSS JOIN LATERAL jsonb_array_elements(a.violations) AS v
      WHERE a.stage = ? AND a.created_at >= ? AND a.created_at < ?
        AND a.decision = 'FAIL' AND v->>'severity' = 'block' AND v->>'code' IS NOT NULL
      GROUP BY 1 ORDER BY decisions DESC, code`,
    inWindow(w),
  );
  return (rows as Row[]).map((r) => ({ code: String(r.code), decisions: toNumber(r.decisions) }));
}

async function telemetryCoverage(trx: Knex.Transaction, w: Window) {
  const cte = `WITH runs AS (
      SELECT DISTINCT workflow_id FROM agent_runs WHERE created_at >= ? AND created_at < ?
    ), decided AS (
      SELECT DISTINCT workflow_id FROM audit_events WHERE ${IN_WINDOW} AND workflow_id IS NOT NULL
    )`;
  const bindings = [w.from, w.until, ...inWindow(w)];
  const { rows } = await trx.raw(
    `${cte} SELECT (SELECT count(*) FROM runs) AS workflows,
                   (SELECT count(*) FROM runs JOIN decided USING (workflow_id)) AS covered`,
    bindings,
  );
  const uncovered = await trx.raw(
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

async function agentRunTotals(trx: Knex.Transaction, w: Window) {
  const { rows } = await trx.raw(
    'SELECT count(*) AS total, count(*) FILTER (WHERE NOT success) AS failed FROM agent_runs WHERE created_at >= ? AND created_at < ?',
    [w.from, w.until],
  );
  return { total: toNumber(rows[0].total), failed: toNumber(rows[0].failed) };
}

async function overrideTotals(trx: Knex.Transaction, w: Window) {
  // The table's constraints already refuse an override without actor or reason; counting them
  // here measures the rule instead of assuming it (a restored archive, a hand-made row).
  const { rows } = await trx.raw(
    `SELECT count(*) AS count,
            count(*) FILTER (WHERE length(btrim(coalesce(actor, ''))) > 0 AND length(btrim(coalesce(reason, ''))) > 0) AS logged
       FROM overrides WHERE ${IN_WINDOW}`,
    inWindow(w),
  );
  return { count: toNumber(rows[0].count), logged: toNumber(rows[0].logged) };
}

/** Seconds of the window under each pinned mode: each history row holds until the next one. */
async function modeSeconds(trx: Knex.Transaction, w: Window): Promise<Partial<Record<Mode, number>>> {
  const { rows } = await trx.raw(
    `WITH spans AS (
       SELECT to_mode AS mode, changed_at AS start_at,
              lead(changed_at) OVER (ORDER BY changed_at, id) AS end_at
         FROM stage_pin_history WHERE stage = ?
     )
     SELECT mode, sum(extract(epoch FROM (least(coalesce(end_at, ?), ?) - greatest(start_at, ?)))) AS seconds
       FROM spans
      WHERE start_at < ? AND coalesce(end_at, ?) > ?
      GROUP BY mode`,
    [w.stage, w.until, w.until, w.from, w.until, w.until, w.from],
  );
  return Object.fromEntries((rows as Row[]).map((r) => [String(r.mode), toNumber(r.seconds)]));
}

/** Hour buckets up to a week, 6-hour buckets up to six weeks, days beyond: at most ~170 points to chart. */
function bucketSecondsFor(windowMs: number): number {
  const days = windowMs / 86_400_000;
  return days <= 7 ? 3_600 : days <= 42 ? 21_600 : 86_400;
}

async function timeSeries(trx: Knex.Transaction, w: Window, bucketSeconds: number): Promise<ReadinessReportBody['series']> {
  // Buckets aligned on UTC multiples of their size (whole hours), so two reports line up;
  // the first and the last may be partly outside the window (their rows are not counted).
  const base = Math.floor(w.from.getTime() / 1000 / bucketSeconds) * bucketSeconds;
  const count = Math.max(1, Math.ceil((w.until.getTime() / 1000 - base) / bucketSeconds));
  const { rows } = await trx.raw(
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
    buckets: (rows as Row[]).map((r) => {
      const pass = toNumber(r.pass);
      const fail = toNumber(r.fail);
      return {
        start: new Date((base + toNumber(r.i) * bucketSeconds) * 1000).toISOString(),
        decisions: toNumber(r.decisions),
        pass,
        fail,
        skipped: toNumber(r.skipped),
        blocked: toNumber(r.blocked),
        rejection_rate: round(ratio(fail, pass + fail)),
        p90_latency_ms: ms(orNull(r.p90)),
      };
    }),
  };
}

async function latencyHistogram(trx: Knex.Transaction, w: Window): Promise<ReadinessReportBody['latency_histogram']['buckets']> {
  // Server constants, not input: safe to write into the statement. width_bucket numbers
  // 0 (below the first bound) … n (at or above the last); bucket i covers [bound i-1, bound i).
  const bounds = `ARRAY[${LATENCY_BOUNDS_MS.join(',')}]::float8[]`;
  const { rows } = await trx.raw(
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

// ---- Verdict and numbers -------------------------------------------------------------------------

function check(
  id: string, description: string, measured: number | null, operator: ThresholdCheck['operator'], threshold: number,
  unit: ThresholdCheck['unit'], note?: string,
): ThresholdCheck {
  // Compared unrounded: a coverage of 94.99996 % must not pass a 95 % threshold by rounding.
  const pass = measured !== null && (operator === '>=' ? measured >= threshold : operator === '<' ? measured < threshold : measured === threshold);
  const shown = measured === null ? null : unit === 'count' ? measured : Math.round(measured * 1_000) / 1_000;
  return { id, description, measured: shown, operator, threshold, unit, pass, ...(note ? { note } : {}) };
}

function thresholdSet(checks: ThresholdCheck[]) {
  return { pass: checks.every((c) => c.pass), checks };
}

function windowOf(spec: string): number {
  let ms: number;
  try {
    ms = parseDuration(spec);
  } catch (error) {
    throw invalid('window', (error as Error).message);
  }
  if (ms > MAX_WINDOW_MS) throw invalid('window', 'at most 366 days');
  return ms;
}

function invalid(path: string, message: string): AppError {
  return new AppError('INVALID_REQUEST', `Invalid query: ${path}: ${message}.`, { details: [{ path, message }] });
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

function pct(r: number | null): number | null {
  return r === null ? null : r * 100;
}

function orNull(v: unknown): number | null {
  return v === null || v === undefined ? null : toNumber(v);
}

/** Shares to 6 decimals: exact enough to compare with a hand count, short enough to read. */
function round(r: number | null): number | null {
  return r === null ? null : Math.round(r * 1e6) / 1e6;
}

function ms(v: number | null): number | null {
  return v === null ? null : Math.round(v * 1_000) / 1_000;
}

function hours(h: number): number {
  return Math.round(h * 1_000) / 1_000;
}

function mapValues<K extends string>(o: Record<K, number>, f: (v: number) => number): Record<K, number> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v as number)])) as Record<K, number>;
}
