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
import type { ReadinessThresholds } from '../config.js';
import { AppError } from '../errors.js';
import type { ReadinessReportBody } from '../../contract/schemas/reports.js';
import { parseDuration, toHours } from '../lib/duration.js';
import type { Snapshot } from '../stores.js';

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

type ThresholdCheck = ReadinessReportBody['verdict']['enter_enforced']['checks'][number];

export function createReadinessReporter(deps: { snapshot: Snapshot; thresholds: ReadinessThresholds; now?: () => Date }): ReadinessReporter {
  const now = deps.now ?? (() => new Date());
  return async (q) => {
    const spec = q.window ?? DEFAULT_WINDOW;
    const windowMs = windowOf(spec);
    const until = q.until ?? now();
    if (Number.isNaN(until.getTime())) throw invalid('until', 'expected an ISO 8601 date-time');
    const from = new Date(until.getTime() - windowMs);
    const w = { stage: q.stage, from, until };

    // One snapshot for every figure (REPEATABLE READ, READ ONLY), read through the tables' owners.
    const figures = await deps.snapshot(async ({ stages, overrides, auditQueries }) => {
      const pin = await stages.get(q.stage);
      if (!pin && !(await stages.everPinned(q.stage))) {
        throw new AppError('STAGE_NOT_FOUND', `Stage "${q.stage}" has never been pinned.`, { details: { stage: q.stage } });
      }
      return {
        pin,
        ...(await auditQueries.readinessFigures(w, bucketSecondsFor(windowMs))),
        overrides: await overrides.countInWindow(w),
        modeSeconds: await stages.modeSeconds(q.stage, from, until),
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
      series: {
        bucket_seconds: figures.series.bucket_seconds,
        buckets: figures.series.buckets.map(({ p90, ...b }) => ({ ...b, rejection_rate: round(ratio(b.fail, b.pass + b.fail)), p90_latency_ms: ms(p90) })),
      },
      latency_histogram: { basis: 'evaluated decisions (PASS, FAIL)', buckets: figures.histogram },
      notes: [
        'Agent runs carry no stage: coverage and the agent failure rate count every agent run reported in the window.',
        'Mode hours follow the pinned mode (stage pin history); the kill switch and GATEHOUSE_MODE_CEILING can lower the effective mode, which decisions.by_mode shows.',
        'Latency is the service time recorded in each audit row (engine and decision, before the audit commit).',
      ],
    };
  };
}

/** Hour buckets up to a week, 6-hour buckets up to six weeks, days beyond: at most ~170 points to chart. */
function bucketSecondsFor(windowMs: number): number {
  const days = windowMs / 86_400_000;
  return days <= 7 ? 3_600 : days <= 42 ? 21_600 : 86_400;
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
