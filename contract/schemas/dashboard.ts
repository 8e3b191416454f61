/** GET /v1/dashboard/stats (the dashboard's Readiness charts) and GET /v1/events (its live decisions). */
import { Type } from '@sinclair/typebox';
import { EnforcementEventSchema } from '../enforcement-event.js';
import { DecisionStatusSchema, Nullable, StageName, Timestamp } from './common.js';
import { PolicyRef } from './evaluations.js';

export const StatsQueryParams = Type.Object(
  {
    stage: Type.Optional(StageName),
    window: Type.String({ pattern: '^[1-9][0-9]{0,4}[mhd]$', default: '72h', description: 'Length of the window ending now (or at `to`): 30m, 72h, 7d; at most 90d.' }),
    buckets: Type.Integer({ minimum: 1, maximum: 200, default: 24 }),
    to: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

const Count = Type.Integer({ minimum: 0 });
const Ms = Nullable(Type.Number());
const Counts = {
  decisions: Count, pass: Count, fail: Count, skipped: Count, blocked: Count,
  rejection_rate: Nullable(Type.Number({ description: 'FAIL over PASS + FAIL; null without an evaluated decision.' })),
};

export const DashboardStats = Type.Object(
  {
    window: Type.String({ description: 'The window asked for, e.g. 72h.' }),
    stage: Nullable(Type.String({ description: 'null: every stage.' })),
    from: Timestamp,
    to: Timestamp,
    bucket_seconds: Type.Number(),
    totals: Type.Object(Counts),
    series: Type.Array(Type.Object({ start: Timestamp, ...Counts, p90_latency_ms: Ms }), { description: 'One point per bucket, oldest first.' }),
    latency: Type.Object({
      count: Count, p50: Ms, p90: Ms, p99: Ms, max: Ms,
      histogram: Type.Array(Type.Object({ from_ms: Type.Number(), to_ms: Nullable(Type.Number()), count: Count }), {
        description: 'Latency in [from_ms, to_ms); to_ms null for the open-ended last bucket.',
      }),
    }),
    top_codes: Type.Array(Type.Object({ code: Type.String(), count: Count }), { description: 'Violation codes of FAIL decisions, most frequent first.' }),
  },
  { description: 'Decisions, rejection rate and latency of a stage (or all) over a window, computed by the database: the dashboard Readiness charts.' },
);

/** The data of one `event: enforcement` frame of GET /v1/events (server/dashboard/streamed-decision.ts writes it). */
export const StreamedDecision = Type.Object(
  {
    ...EnforcementEventSchema.properties,
    stage: Type.String(),
    policy: PolicyRef,
    decision: DecisionStatusSchema,
    allowed: Type.Boolean(),
    violation_codes: Type.Array(Type.String(), { description: 'Codes of the findings, each once.' }),
    error: Nullable(Type.Object({ code: Type.String(), message: Type.String(), suggestedFix: Type.String() }, { description: 'Set only when the decision blocked.' })),
    created_at: Timestamp,
    workflow_id: Nullable(Type.String()),
    agent: Nullable(Type.String()),
  },
  { description: 'One answered decision, as GET /v1/events streams it: the enforcement event, then what a dashboard shows without a second request.' },
);

export const dashboardComponents = { DashboardStats, StreamedDecision } as const;
