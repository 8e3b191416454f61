/** GET /v1/reports/readiness: the readiness (burn-in) report and its verdict. */
import { Type, type Static } from '@sinclair/typebox';
import { ModeSchema, Nullable, StageName, StringEnum, Timestamp } from './common.js';

/** `72h`, `3d`, `90m`. */
const DURATION_PATTERN = '^[1-9][0-9]{0,5}(m|h|d)$';
export const ReadinessReportQuery = Type.Object(
  {
    stage: StageName,
    window: Type.String({ pattern: DURATION_PATTERN, default: '72h', description: 'How far back from `until`: 72h, 3d, 90m (1 minute to 366 days).' }),
    until: Type.Optional(Type.String({ format: 'date-time', description: 'End of the window (exclusive). Default: now.' })),
  },
  { additionalProperties: false },
);
const Ratio = Nullable(Type.Number({ description: 'A share from 0 to 1; null when there is nothing to divide by.' }));
const Ms = Nullable(Type.Number());
const Count = Type.Integer({ minimum: 0 });
/** PASS and FAIL are measured; UNKNOWN is no data to judge by (never counted as a pass, never as a failure). */
const STATUSES = ['PASS', 'FAIL', 'UNKNOWN'] as const;
const ThresholdCheck = Type.Object({
  id: Type.String(),
  description: Type.String(),
  measured: Nullable(Type.Number({ description: 'In `unit`; null when there was no data (status UNKNOWN).' })),
  operator: StringEnum(['>=', '<', '==']),
  threshold: Type.Number(),
  unit: StringEnum(['percent', 'ms', 'hours', 'count']),
  status: StringEnum(STATUSES, { description: 'PASS or FAIL as measured; UNKNOWN when there was no data to judge by.' }),
  pass: Type.Boolean({ description: 'status is PASS.' }),
  reason: Type.String({ description: 'Why the check has its status, in a sentence.' }),
  how_to_get_data: Type.Optional(Type.String({ description: 'With status UNKNOWN: what to send or ask for so that the check can be measured.' })),
  note: Type.Optional(Type.String()),
});
const ThresholdSet = Type.Object({
  status: StringEnum(STATUSES, { description: 'FAIL if any check fails; else UNKNOWN if any has no data; else PASS.' }),
  pass: Type.Boolean({ description: 'status is PASS.' }),
  checks: Type.Array(ThresholdCheck),
});
export const ReadinessReport = Type.Object(
  {
    stage: Type.String(),
    window: Type.Object({ spec: Type.String(), from: Timestamp, until: Timestamp, hours: Type.Number() }),
    generated_at: Timestamp,
    pin: Nullable(Type.Object({ pack: Type.String(), version: Type.String(), mode: ModeSchema })),
    decisions: Type.Object({
      total: Count, pass: Count, fail: Count, skipped: Count, blocked: Count,
      evaluated: Type.Integer({ minimum: 0, description: 'PASS + FAIL (SKIPPED decisions were never evaluated).' }),
      by_mode: Type.Object({ off: Count, advisory: Count, enforced: Count }, { description: 'By the effective mode recorded in each audit row.' }),
    }),
    telemetry_coverage: Type.Object({
      workflows_with_agent_runs: Count,
      workflows_with_decision: Count,
      ratio: Ratio,
      uncovered_examples: Type.Array(Type.String(), { description: 'Up to 10 workflow ids with agent runs but no decision on this stage.' }),
    }),
    rejections: Type.Object({
      evaluated: Count,
      rejected: Type.Integer({ minimum: 0, description: 'FAIL decisions.' }),
      rate: Ratio,
      by_code: Type.Array(Type.Object({ code: Type.String(), decisions: Count, rate: Ratio }), {
        description: 'FAIL decisions with at least one blocking violation of the code, over evaluated decisions.',
      }),
    }),
    latency_ms: Type.Object({ basis: Type.String(), count: Count, p50: Ms, p90: Ms, p99: Ms, max: Ms }),
    agent_runs: Type.Object({ total: Count, failed: Count, failure_rate: Ratio }),
    overrides: Type.Object({ count: Count, with_actor_and_reason: Count, all_logged: Type.Boolean() }),
    audit_write_failures: Type.Object({ count: Nullable(Count), source: Type.String(), note: Type.String() }),
    mode_hours: Type.Object(
      { off: Type.Number(), advisory: Type.Number(), enforced: Type.Number(), unpinned: Type.Number() },
      { description: 'Hours of the window spent in each pinned mode (stage pin history).' },
    ),
    verdict: Type.Object({
      applies: StringEnum(['enter_enforced', 'stay_enforced'], { description: 'stay_enforced when the stage is pinned enforced, else enter_enforced.' }),
      ready: Type.Boolean({ description: 'Every check of the set that applies passes.' }),
      status: StringEnum(['READY', 'NOT_READY', 'MISSING_DATA'], {
        description: 'READY: every check of the set that applies passes; NOT_READY: one fails; MISSING_DATA: none fails but one has no data (not ready until it is measured).',
      }),
      missing_data: Type.Array(Type.String(), { description: 'Ids of the checks of the set that applies with status UNKNOWN.' }),
      enter_enforced: ThresholdSet,
      stay_enforced: ThresholdSet,
    }),
    series: Type.Object({
      bucket_seconds: Type.Integer(),
      buckets: Type.Array(
        Type.Object({
          start: Timestamp, decisions: Count, pass: Count, fail: Count, skipped: Count, blocked: Count, rejection_rate: Ratio, p90_latency_ms: Ms,
        }),
      ),
    }),
    latency_histogram: Type.Object({
      basis: Type.String(),
      buckets: Type.Array(Type.Object({ from_ms: Type.Number(), to_ms: Nullable(Type.Number()), count: Count }), {
        description: 'Latency in [from_ms, to_ms); to_ms null for the open-ended last bucket.',
      }),
    }),
    notes: Type.Array(Type.String()),
  },
  { description: 'Readiness (burn-in) report of one stage over a window, computed by the database.' },
);


export const reportComponents = { ReadinessReport } as const;

export type ReadinessReportBody = Static<typeof ReadinessReport>;
