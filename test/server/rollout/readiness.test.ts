// The readiness report on a seeded database, on PGlite and on PostgreSQL: every figure is the
// one a hand count of the seeded rows gives (the counts are worked out beside the seed).
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAgentRunStore } from '../../../server/audit/agent-run-store.js';
import { createAuditStore, type AuditRow } from '../../../server/audit/audit-store.js';
import type { ReadinessThresholds } from '../../../server/config.js';
import * as S from '../../../contract/schemas/index.js';
import { createOverrideStore } from '../../../server/overrides/override-store.js';
import { reportCommand } from '../../../server/reports/report-command.js';
import { createReadinessReporter } from '../../../server/reports/readiness-report.js';
import { formatReadinessText } from '../../../server/reports/readiness-text.js';
import { snapshotOf } from '../../../server/stores.js';
import { auditRow } from '../../helpers/audit-rows.js';
import { databaseKinds, emptyTables, useDatabase } from '../../helpers/databases.js';
import { ADMIN_KEY, auth, buildGatehouse, conforms, expectError } from '../api/harness.js';

const HOUR = 3_600_000;
const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);
const UNTIL = at(72); // window 72h: [T0, T0 + 72h)
const DEFAULTS: ReadinessThresholds = { enterMinCoveragePct: 95, enterMaxP90Ms: 2_000, enterMinAdvisoryHours: 72, stayMaxAgentFailurePct: 2, stayMinCoveragePct: 100 };

const block = (code: string) => ({ code, check: code.toLowerCase(), severity: 'block', post: 0, message: 'm', suggestedFix: 'f' });
const warn = (code: string) => ({ code, check: code.toLowerCase(), severity: 'warn', post: 0, message: 'm', suggestedFix: 'f' });

function row(id: string, hours: number, fields: Partial<AuditRow>): AuditRow {
  const violations = (fields.violations ?? []) as { code: string }[];
  return auditRow({
    request_id: id,
    created_at: at(hours),
    stage: 'burn',
    violation_codes: [...new Set(violations.map((v) => v.code))],
    response: { audit_ok: true },
    ...fields,
  });
}

// Stage `burn`, window [T0, T0+72h). Evaluated (PASS+FAIL) latencies: 10 20 30 40 50 60 70 80 3000.
const AUDIT_ROWS: AuditRow[] = [
  row('r1', 7, { mode: 'advisory', decision: 'PASS', latency_ms: 10, workflow_id: 'wf-a' }),
  row('r2', 8, { mode: 'advisory', decision: 'PASS', latency_ms: 20, workflow_id: 'wf-a' }),
  row('r3', 8.5, { mode: 'advisory', decision: 'FAIL', latency_ms: 30, workflow_id: 'wf-b', violations: [block('PROFANITY'), warn('LINE_TOO_LONG')] }),
  // Two spans of one code: one decision for that code.
  row('r4', 9, { mode: 'advisory', decision: 'FAIL', latency_ms: 40, workflow_id: 'wf-c', violations: [block('PROFANITY'), block('PROFANITY')] }),
  row('r5', 67, { mode: 'enforced', decision: 'FAIL', allowed: false, latency_ms: 50, workflow_id: 'wf-c', violations: [block('SELF_HARM')] }),
  row('r6', 68, { mode: 'enforced', decision: 'PASS', latency_ms: 60, workflow_id: 'wf-d' }),
  row('r7', 1, { mode: 'off', decision: 'SKIPPED', latency_ms: 1, workflow_id: 'wf-e' }),
  row('r8', 10, { mode: 'advisory', decision: 'PASS', latency_ms: 3000, workflow_id: 'wf-a' }),
  // Kept in the outbox and replayed later: an audit write failure.
  row('r9', 11, { mode: 'advisory', decision: 'FAIL', latency_ms: 70, workflow_id: null, receipt_id: null, violations: [block('TOS_SPAM')], response: { audit_ok: false } }),
  row('r10', 12, { mode: 'advisory', decision: 'PASS', latency_ms: 80, workflow_id: 'wf-f' }),
  // Not counted: before the window, at its (exclusive) end, another stage.
  row('o1', -0.001, { mode: 'off', decision: 'FAIL', allowed: false, latency_ms: 9_999, workflow_id: 'wf-g', violations: [block('PROFANITY')] }),
  row('o2', 72, { mode: 'enforced', decision: 'FAIL', allowed: false, latency_ms: 9_999, workflow_id: 'wf-h', violations: [block('PROFANITY')] }),
  row('o3', 20, { stage: 'other', mode: 'enforced', decision: 'FAIL', allowed: false, latency_ms: 9_999, workflow_id: 'wf-o', violations: [block('PROFANITY')] }),
];

// Workflows with agent runs in the window: a b c g h o (6); with a decision on burn: a b c (3).
// Runs in the window: 7, failed 2 (wf-b, wf-h).
const AGENT_RUNS = [
  { workflow_id: 'wf-a', hours: 7, success: true },
  { workflow_id: 'wf-a', hours: 10, success: true },
  { workflow_id: 'wf-b', hours: 8, success: false },
  { workflow_id: 'wf-c', hours: 9, success: true },
  { workflow_id: 'wf-g', hours: 30, success: true },
  { workflow_id: 'wf-h', hours: 31, success: false },
  { workflow_id: 'wf-o', hours: 20, success: true },
  { workflow_id: 'wf-z', hours: -1, success: false },
  { workflow_id: 'wf-a', hours: 72, success: false },
];

async function seed(knex: import('knex').Knex): Promise<void> {
  await createAuditStore(knex).insertMany(AUDIT_ROWS);
  const runs = createAgentRunStore(knex);
  for (const r of AGENT_RUNS) {
    const start = at(r.hours).getTime();
    await runs.insert({ workflow_id: r.workflow_id, agent: 'writer', start_ms: start, end_ms: start + 1000, success: r.success, failure_reason: r.success ? null : 'boom', caller: 'c', created_at: at(r.hours) });
  }
  // Pinned off at T0-24h, advisory at T0+6h, enforced at T0+66h → in the window: off 6 h, advisory 60 h, enforced 6 h.
  const history = [
    { hours: -24, from: null, to: 'off' },
    { hours: 6, from: 'off', to: 'advisory' },
    { hours: 66, from: 'advisory', to: 'enforced' },
  ];
  for (const h of history) {
    await knex('stage_pin_history').insert({
      stage: 'burn', changed_at: at(h.hours), changed_by: 'admin', from_pack_id: h.from && 'qa', from_version: h.from && '1.0.0', from_mode: h.from,
      to_pack_id: 'qa', to_version: '1.0.0', to_mode: h.to,
    });
  }
  await knex('stage_pin_history').insert({ stage: 'other', changed_at: at(-48), changed_by: 'admin', to_pack_id: 'qa', to_version: '1.0.0', to_mode: 'advisory' });
  await knex('stage_pins').insert([
    { stage: 'burn', pack_id: 'qa', version: '1.0.0', mode: 'enforced', updated_at: at(66), updated_by: 'admin' },
    { stage: 'other', pack_id: 'qa', version: '1.0.0', mode: 'advisory', updated_at: at(-48), updated_by: 'admin' },
  ]);
  // Overrides on burn in the window: 2 (one outside the window, one on another stage).
  const overrides = createOverrideStore(knex);
  const base = {
    overridden_receipt_id: null, mode: 'enforced' as const, pack_id: 'qa', policy_version: '1.0.0', policy_hash: 'sha256:h', decision: 'FAIL' as const,
    violation_codes: ['SELF_HARM'], content_sha256: 'c', content_kind: 'text' as const, actor: 'alice', reason: 'a reason', caller: 'env-admin',
  };
  await overrides.insert({ ...base, override_id: 'ov1', request_id: 'r5', stage: 'burn', receipt_id: 'x1', created_at: at(67.5) });
  await overrides.insert({ ...base, override_id: 'ov2', request_id: 'r5', stage: 'burn', receipt_id: 'x2', created_at: at(70) });
  await overrides.insert({ ...base, override_id: 'ov3', request_id: 'o1', stage: 'burn', receipt_id: 'x3', created_at: at(-1) });
  await overrides.insert({ ...base, override_id: 'ov4', request_id: 'o3', stage: 'other', receipt_id: 'x4', created_at: at(20) });
}

describe.each(databaseKinds)('readiness report on %s', (kind) => {
  const database = useDatabase(kind);
  const knex = () => database().db.knex;
  const report = (thresholds = DEFAULTS) => createReadinessReporter({ snapshot: snapshotOf(knex()), thresholds, now: () => at(100) })({ stage: 'burn', window: '72h', until: UNTIL });

  beforeAll(async () => {
    await emptyTables(database().db);
    await seed(knex());
  });

  it('gives the hand-counted figures', async () => {
    const r = await report();
    conforms(S.ReadinessReport, r);
    expect(r.window).toEqual({ spec: '72h', from: T0.toISOString(), until: UNTIL.toISOString(), hours: 72 });
    expect(r.pin).toEqual({ pack: 'qa', version: '1.0.0', mode: 'enforced' });
    expect(r.decisions).toEqual({
      total: 10, pass: 5, fail: 4, skipped: 1, blocked: 1, evaluated: 9,
      by_mode: { off: 1, advisory: 7, enforced: 2 },
    });
    expect(r.rejections).toEqual({
      evaluated: 9,
      rejected: 4,
      rate: 0.444444, // 4/9
      by_code: [
        { code: 'PROFANITY', decisions: 2, rate: 0.222222 }, // r3, r4 (LINE_TOO_LONG only warns)
        { code: 'SELF_HARM', decisions: 1, rate: 0.111111 },
        { code: 'TOS_SPAM', decisions: 1, rate: 0.111111 },
      ],
    });
    // percentile_cont over 9 sorted values, position p·8: p50 → #4 = 50; p90 → 7.2 → 80 + 0.2·2920; p99 → 7.92 → 80 + 0.92·2920.
    expect(r.latency_ms).toEqual({ basis: 'evaluated decisions (PASS, FAIL)', count: 9, p50: 50, p90: 664, p99: 2766.4, max: 3000 });
    expect(r.telemetry_coverage).toEqual({ workflows_with_agent_runs: 6, workflows_with_decision: 3, ratio: 0.5, uncovered_examples: ['wf-g', 'wf-h', 'wf-o'] });
    expect(r.agent_runs).toEqual({ total: 7, failed: 2, failure_rate: 0.285714 });
    expect(r.overrides).toEqual({ count: 2, with_actor_and_reason: 2, all_logged: true });
    expect(r.audit_write_failures.count).toBe(1);
    expect(r.mode_hours).toEqual({ off: 6, advisory: 60, enforced: 6, unpinned: 0 });
  });

  it('charts hourly buckets and a latency histogram', async () => {
    const r = await report();
    expect(r.series.bucket_seconds).toBe(3600);
    expect(r.series.buckets).toHaveLength(72);
    expect(r.series.buckets[0]!.start).toBe(T0.toISOString());
    const busy = Object.fromEntries(r.series.buckets.map((b, i) => [i, b]).filter(([, b]) => (b as { decisions: number }).decisions > 0));
    expect(Object.keys(busy).map(Number)).toEqual([1, 7, 8, 9, 10, 11, 12, 67, 68]);
    expect(busy[8]).toEqual({ start: at(8).toISOString(), decisions: 2, pass: 1, fail: 1, skipped: 0, blocked: 0, rejection_rate: 0.5, p90_latency_ms: 29 });
    expect(busy[1]).toMatchObject({ decisions: 1, skipped: 1, rejection_rate: null, p90_latency_ms: null });
    expect(busy[67]).toMatchObject({ decisions: 1, fail: 1, blocked: 1, rejection_rate: 1 });
    expect(r.series.buckets.reduce((n, b) => n + b.decisions, 0)).toBe(10);

    const counts = Object.fromEntries(r.latency_histogram.buckets.filter((b) => b.count > 0).map((b) => [`${b.from_ms}-${b.to_ms}`, b.count]));
    expect(counts).toEqual({ '10-20': 1, '20-50': 3, '50-100': 4, '2000-5000': 1 });
    expect(r.latency_histogram.buckets).toHaveLength(13);
    expect(r.latency_histogram.buckets.at(-1)).toEqual({ from_ms: 5000, to_ms: null, count: 0 });
  });

  it('names each threshold with its measured figure and verdict', async () => {
    const r = await report();
    expect(r.verdict.applies).toBe('stay_enforced');
    expect(r.verdict.ready).toBe(false);
    expect(r.verdict).toMatchObject({ status: 'NOT_READY', missing_data: [] });
    const figures = (set: typeof r.verdict.enter_enforced) =>
      set.checks.map(({ id, measured, operator, threshold, status, pass }) => ({ id, measured, operator, threshold, status, pass }));
    expect(figures(r.verdict.enter_enforced)).toEqual([
      { id: 'coverage', measured: 50, operator: '>=', threshold: 95, status: 'FAIL', pass: false },
      { id: 'p90_latency', measured: 664, operator: '<', threshold: 2000, status: 'PASS', pass: true },
      { id: 'advisory_hours', measured: 60, operator: '>=', threshold: 72, status: 'FAIL', pass: false },
    ]);
    expect(figures(r.verdict.stay_enforced)).toEqual([
      { id: 'agent_failure_rate', measured: 28.571, operator: '<', threshold: 2, status: 'FAIL', pass: false },
      { id: 'coverage', measured: 50, operator: '>=', threshold: 100, status: 'FAIL', pass: false },
      { id: 'overrides_logged', measured: 0, operator: '==', threshold: 0, status: 'PASS', pass: true },
    ]);
    expect(r.verdict.stay_enforced.checks[0]!.reason).toBe('measured 28.571 %, does not meet < 2 %');
    expect(r.verdict.stay_enforced.status).toBe('FAIL');

    // Thresholds come from configuration: at the measured figures, ≥ passes and < does not.
    const lenient = await report({ enterMinCoveragePct: 50, enterMaxP90Ms: 665, enterMinAdvisoryHours: 60, stayMaxAgentFailurePct: 29, stayMinCoveragePct: 50 });
    expect(lenient.verdict).toMatchObject({ ready: true, status: 'READY', enter_enforced: { status: 'PASS', pass: true }, stay_enforced: { status: 'PASS', pass: true } });
    const strict = await report({ ...DEFAULTS, enterMinCoveragePct: 50, enterMaxP90Ms: 664, enterMinAdvisoryHours: 60 });
    expect(strict.verdict.enter_enforced.checks.map((c) => c.pass)).toEqual([true, false, true]);
  });

  it('answers null figures and UNKNOWN checks (not failures) for an empty window, and STAGE_NOT_FOUND for an unknown stage', async () => {
    const empty = await createReadinessReporter({ snapshot: snapshotOf(knex()), thresholds: DEFAULTS })({ stage: 'burn', window: '1h', until: at(-100) });
    expect(empty.decisions.total).toBe(0);
    expect(empty.latency_ms).toMatchObject({ count: 0, p50: null, p90: null, p99: null, max: null });
    expect(empty.telemetry_coverage.ratio).toBeNull();
    expect(empty.mode_hours).toEqual({ off: 0, advisory: 0, enforced: 0, unpinned: 1 });
    const coverage = empty.verdict.enter_enforced.checks.find((c) => c.id === 'coverage')!;
    expect(coverage).toMatchObject({ measured: null, status: 'UNKNOWN', pass: false, reason: 'no agent run was reported in the window' });
    expect(coverage.how_to_get_data).toContain('POST /v1/agent-runs');
    expect(empty.verdict.stay_enforced.checks.find((c) => c.id === 'overrides_logged')).toMatchObject({ status: 'PASS' });
    // Nothing failed, something is not known: not ready, for missing data, and which data.
    expect(empty.verdict).toMatchObject({ ready: false, status: 'MISSING_DATA', enter_enforced: { status: 'UNKNOWN' } });
    expect(empty.verdict.missing_data.length).toBeGreaterThan(0);
    expect(formatReadinessText(empty)).toMatch(/^VERDICT NOT READY \(missing data\) to (enter|stay) enforced$/m);
    await expect(createReadinessReporter({ snapshot: snapshotOf(knex()), thresholds: DEFAULTS })({ stage: 'nowhere' })).rejects.toMatchObject({ code: 'STAGE_NOT_FOUND' });
  });

  it('serves the same report on GET /v1/reports/readiness (admin)', async () => {
    const gh = await buildGatehouse(database().db);
    try {
      const res = await request(gh.app).get('/v1/reports/readiness').query({ stage: 'burn', window: '72h', until: UNTIL.toISOString() }).set(auth(ADMIN_KEY));
      expect(res.status).toBe(200);
      conforms(S.ReadinessReport, res.body);
      const { generated_at: _a, ...fromApi } = res.body;
      const { generated_at: _b, ...direct } = await report();
      expect(fromApi).toEqual(direct);
      expectError(await request(gh.app).get('/v1/reports/readiness').query({ stage: 'burn', window: '3 days' }).set(auth(ADMIN_KEY)), 400, 'INVALID_REQUEST');
      expectError(await request(gh.app).get('/v1/reports/readiness').query({ stage: 'nowhere' }).set(auth(ADMIN_KEY)), 404, 'STAGE_NOT_FOUND');
    } finally {
      await gh.close();
    }
  });

  it.runIf(kind === 'postgres')('runs as `gatehouse report readiness` against DATABASE_URL', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l) };
    const env = { DATABASE_URL: database().url!, GATEHOUSE_LOG_LEVEL: 'silent' };
    const args = ['readiness', '--stage', 'burn', '--window', '72h', '--until', UNTIL.toISOString()];
    expect(await reportCommand([...args, '--format', 'json'], env, io)).toBe(1); // not ready: exit 1
    const { generated_at: _a, ...fromCli } = JSON.parse(out.join('\n'));
    const { generated_at: _b, ...direct } = await report();
    expect(fromCli).toEqual(direct);

    out.length = 0;
    expect(await reportCommand(args, env, io)).toBe(1);
    const text = out.join('\n');
    expect(text).toContain('VERDICT NOT READY to stay enforced');
    expect(text).toContain('[FAIL] agent failure rate < 2 %: measured 28.571 %, does not meet < 2 %');
    expect(text).toContain('[PASS] p90 evaluate latency < 2000 ms: measured 664 ms, meets < 2000 ms');
    expect(await reportCommand(['readiness'], env, io)).toBe(2);
    expect(await reportCommand(['readiness', '--stage', 'nowhere'], env, io)).toBe(2);
    expect(err.join('\n')).toContain('STAGE_NOT_FOUND');
  });
});
