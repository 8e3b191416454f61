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

type Verdict = ReadinessReportBody['verdict'];
type ThresholdSet = Verdict['enter_enforced'];
type ThresholdCheck = ThresholdSet['checks'][number];

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
        coverageRatio === null ? NO_AGENT_RUNS : undefined),
      check('p90_latency', `p90 evaluate latency < ${t.enterMaxP90Ms} ms`, d.p90, '<', t.enterMaxP90Ms, 'ms',
        d.p90 === null ? NO_DECISIONS : undefined),
      check('advisory_hours', `at least ${t.enterMinAdvisoryHours} h pinned advisory in the window`, modeHours.advisory, '>=', t.enterMinAdvisoryHours, 'hours',
        windowHours < t.enterMinAdvisoryHours
          ? { reason: `the window (${spec}) is shorter than the required advisory time`, how: `Ask for a window of at least ${Math.ceil(t.enterMinAdvisoryHours)}h (--window / ?window=).` }
          : undefined),
    ]);
    const stay = thresholdSet([
      check('agent_failure_rate', `agent failure rate < ${t.stayMaxAgentFailurePct} %`, pct(failureRatio), '<', t.stayMaxAgentFailurePct, 'percent',
        failureRatio === null ? NO_AGENT_RUNS : undefined),
      check('coverage', `telemetry coverage ≥ ${t.stayMinCoveragePct} %`, pct(coverageRatio), '>=', t.stayMinCoveragePct, 'percent',
        coverageRatio === null ? NO_AGENT_RUNS : undefined),
      check('overrides_logged', 'every override logged with actor and reason', unlogged, '==', 0, 'count', undefined,
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
      verdict: verdictOf(applies, enter, stay),
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

/** No data for a check: why, and how to get it measured. */
interface Missing {
  reason: string;
  how: string;
}

const NO_AGENT_RUNS: Missing = {
  reason: 'no agent run was reported in the window',
  how:
    'Agent runs are the telemetry of the workflows that generate posts: each workflow reports every run (success or failure) ' +
    'with POST /v1/agent-runs {workflow_id, agent, start_ms, end_ms, success}, and sends the same workflow_id with its evaluations (README: Agent runs).',
};

const NO_DECISIONS: Missing = {
  reason: 'no decision was evaluated on this stage in the window',
  how: 'Evaluate content on this stage (POST /v1/evaluate with "stage"), or ask for a window that has decisions.',
};

/** `missing` given: the check cannot be judged (UNKNOWN), whatever was measured. */
function check(
  id: string, description: string, measured: number | null, operator: ThresholdCheck['operator'], threshold: number,
  unit: ThresholdCheck['unit'], missing?: Missing, note?: string,
): ThresholdCheck {
  const shown = measured === null ? null : unit === 'count' ? measured : Math.round(measured * 1_000) / 1_000;
  const base = { id, description, measured: shown, operator, threshold, unit, ...(note ? { note } : {}) };
  if (missing || measured === null) {
    const m = missing ?? { reason: 'nothing was measured in the window', how: 'Ask for a longer window.' };
    return { ...base, status: 'UNKNOWN', pass: false, reason: m.reason, how_to_get_data: m.how };
  }
  // Compared unrounded: a coverage of 94.99996 % must not pass a 95 % threshold by rounding.
  const pass = operator === '>=' ? measured >= threshold : operator === '<' ? measured < threshold : measured === threshold;
  const needs = `${operator} ${threshold}${UNIT_TEXT[unit]}`;
  return { ...base, status: pass ? 'PASS' : 'FAIL', pass, reason: `measured ${shown}${UNIT_TEXT[unit]}, ${pass ? 'meets' : 'does not meet'} ${needs}` };
}

const UNIT_TEXT: Record<ThresholdCheck['unit'], string> = { percent: ' %', ms: ' ms', hours: ' h', count: '' };

function thresholdSet(checks: ThresholdCheck[]): ThresholdSet {
  const status = checks.some((c) => c.status === 'FAIL') ? 'FAIL' : checks.some((c) => c.status === 'UNKNOWN') ? 'UNKNOWN' : 'PASS';
  return { status, pass: status === 'PASS', checks };
}

/** A failed check makes NOT_READY; otherwise a check without data makes MISSING_DATA, never a "no". */
function verdictOf(applies: Verdict['applies'], enter: ThresholdSet, stay: ThresholdSet): Verdict {
  const set = applies === 'stay_enforced' ? stay : enter;
  const status = set.status === 'PASS' ? 'READY' : set.status === 'FAIL' ? 'NOT_READY' : 'MISSING_DATA';
  const missing = set.checks.filter((c) => c.status === 'UNKNOWN').map((c) => c.id);
  return { applies, ready: set.pass, status, missing_data: missing, enter_enforced: enter, stay_enforced: stay };
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
