/**
 * Every request and response body of the API as TypeBox schemas: ajv
 * validates requests against them and /openapi.json publishes the same
 * objects, so the contract and the checks cannot drift apart.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });

export const STAGE_PATTERN = '^[a-z0-9][a-z0-9_-]{0,63}$';
/** A string enum as `{ type: 'string', enum }` (one clear error message, not one per anyOf branch). */
function StringEnum<const T extends readonly string[]>(values: T, options: { description?: string } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

export const Mode = StringEnum(['off', 'advisory', 'enforced']);
export const DecisionStatus = StringEnum(['PASS', 'FAIL', 'SKIPPED']);
export const Role = StringEnum(['evaluator', 'admin']);
export const StageName = Type.String({ pattern: STAGE_PATTERN, description: 'Rollout stage, e.g. dev, staging, prod.' });
/** [start, end) in UTF-16 units, as a 2020-12 tuple (TypeBox's Tuple emits the draft-07 `items: [...]` form). */
const Span = Type.Unsafe<[number, number]>({
  type: 'array',
  prefixItems: [{ type: 'integer' }, { type: 'integer' }],
  items: false,
  minItems: 2,
  maxItems: 2,
  description: '[start, end) in UTF-16 units.',
});
const Label = (maxLength: number, description: string) => Type.String({ minLength: 1, maxLength, description });

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Canonical code, e.g. INVALID_REQUEST, STAGE_NOT_FOUND.' }),
      message: Type.String(),
      suggestedFix: Type.String(),
      details: Type.Unknown({ description: 'For INVALID_REQUEST: [{ path, message }].' }),
    }),
  },
  { description: 'The one error shape of the API.' },
);

export const Content = Type.Union(
  [Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })],
  { description: 'A string is split into posts by the pack’s thread rules; an array is a thread, one post per item.' },
);

export const EvaluateRequest = Type.Object(
  {
    content: Content,
    stage: StageName,
    workflow_id: Type.Optional(Label(200, 'Caller’s workflow id, kept in the audit row.')),
    agent: Type.Optional(Label(200, 'Agent that produced the content.')),
    platform: Type.Optional(Label(64, 'Platform whose length rules apply (x, linkedin, …).')),
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

export const Violation = Type.Object({
  code: Type.String(),
  check: Type.String(),
  severity: StringEnum(['block', 'warn']),
  category: Type.Optional(Type.String()),
  post: Type.Integer({ minimum: 0, description: '0-based index of the post in the thread.' }),
  span: Type.Optional(Span),
  evidence: Type.Optional(Type.String({ description: 'Matched text with its middle masked.' })),
  revealed_by: Type.Optional(Type.Array(Type.String())),
  message: Type.String(),
  suggestedFix: Type.String(),
});

export const Warning = Type.Object(
  {
    code: Type.String(),
    message: Type.String(),
    suggestedFix: Type.String(),
    check: Type.Optional(Type.String()),
    severity: Type.Optional(Type.String()),
    post: Type.Optional(Type.Integer()),
  },
  { additionalProperties: true, description: 'A violation that does not block, or a service warning such as AUDIT_UNAVAILABLE.' },
);

export const RequiredEdit = Type.Object(
  {
    check: Type.String(),
    code: Type.String(),
    post: Type.Integer(),
    action: Type.String(),
    span: Type.Optional(Span),
  },
  { additionalProperties: true },
);

export const PolicyRef = Type.Object({ pack: Type.String(), version: Type.String(), hash: Type.String() });

const DecisionError = Type.Object({
  code: Type.String({ description: 'QA_REJECTED, HARMFUL_CONTENT or AUDIT_UNAVAILABLE.' }),
  message: Type.String(),
  suggestedFix: Type.String(),
  details: Type.Object(
    { violations: Type.Optional(Type.Array(Violation)), decision: Type.Optional(DecisionStatus) },
    { additionalProperties: true },
  ),
});

const decisionFields = {
  request_id: Type.String({ format: 'uuid' }),
  receipt_id: Nullable(Type.String({ format: 'uuid' })),
  stage: Type.String(),
  mode: Mode,
  policy: PolicyRef,
  decision: DecisionStatus,
  checks: Type.Array(Type.String(), { description: 'Checks run; empty when the effective mode is off.' }),
  allowed: Type.Boolean(),
  violations: Type.Array(Violation),
  required_edits: Type.Array(RequiredEdit),
  warnings: Type.Array(Warning),
  sanitized: Type.Array(Type.String()),
  audit_ok: Type.Boolean(),
  error: Type.Optional(DecisionError),
};

export const Decision = Type.Object(decisionFields, { description: 'A decision as stored in the audit row.' });
export const EvaluateResponse = Type.Object(
  { ...decisionFields, receipt: Type.Optional(Type.String({ description: 'Signed receipt (EdDSA JWS); only when audit_ok.' })) },
  { description: 'A decision: always HTTP 200, whether it passes, fails or is skipped.' },
);

export const ReceiptClaims = Type.Object(
  {
    iss: Type.Literal('gatehouse'),
    jti: Type.String({ description: 'receipt_id' }),
    sub: Type.String({ description: 'request_id' }),
    stage: Type.String(),
    mode: Mode,
    pack: Type.String(),
    policy_version: Type.String(),
    policy_hash: Type.String(),
    decision: DecisionStatus,
    allowed: Type.Boolean(),
    content_sha256: Type.String({ description: 'Hex SHA-256 of the content: a string as is, an array as JSON.stringify(array).' }),
    content_kind: StringEnum(['text', 'thread'], { description: 'text: content was a string; thread: an array.' }),
    iat: Type.Integer(),
    exp: Type.Integer(),
    override: Type.Optional(Type.Boolean({ description: 'Override receipts only: a person allowed this enforced FAIL (POST /v1/overrides).' })),
    override_id: Type.Optional(Type.String({ description: 'Override receipts only.' })),
    actor: Type.Optional(Type.String({ description: 'Override receipts only: who decided the override.' })),
    reason: Type.Optional(Type.String({ description: 'Override receipts only: why.' })),
    overridden_receipt_id: Type.Optional(Nullable(Type.String({ description: 'Override receipts only: jti of the blocked decision’s receipt.' }))),
  },
  { additionalProperties: true },
);

export const VerifyRequest = Type.Object(
  {
    receipt: Type.Optional(Type.String({ maxLength: 8192, description: 'Missing or empty → ENFORCEMENT_RECEIPT_REQUIRED (428).' })),
    content: Content,
  },
  { additionalProperties: false },
);

export const VerifyResponse = Type.Object({
  valid: Type.Literal(true),
  allowed_to_post: Type.Boolean({ description: 'false only for a FAIL decided under enforced mode, unless the receipt is an override receipt.' }),
  override: Type.Optional(Type.Boolean({ description: 'true for an override receipt (the service always answers it).' })),
  claims: ReceiptClaims,
});

export const Jwks = Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) });

export const PackVersion = Type.Object({ pack: Type.String(), version: Type.String(), hash: Type.String(), published_at: Timestamp });
export const PackList = Type.Object({ items: Type.Array(PackVersion) });
export const PackVersions = Type.Object({ pack: Type.String(), items: Type.Array(PackVersion) });
export const PackParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const StageParams = Type.Object({ stage: StageName });
/** `pack@version` of a published version, evaluated beside the pin (shadow) and never answered. */
const ShadowRef = Type.String({
  pattern: '^[^@\\s]{1,100}@[^@\\s]{1,64}$',
  description: 'Shadow candidate `pack@version` (a published version); null clears it; omitted keeps the current one.',
});
export const PinRequest = Type.Object(
  {
    pack: Label(100, 'Pack id.'),
    version: Label(64, 'A published version of the pack.'),
    mode: Type.Optional(
      StringEnum(['off', 'advisory', 'enforced'], { description: 'Default: the stage’s current mode, or off for a new stage.' }),
    ),
    shadow: Type.Optional(Nullable(ShadowRef)),
  },
  { additionalProperties: false },
);
export const Stage = Type.Object({
  stage: Type.String(),
  pack: Type.String(),
  version: Type.String(),
  mode: Mode,
  effective_mode: Mode,
  shadow: Nullable(Type.String({ description: 'Shadow candidate `pack@version`, or null.' })),
  updated_at: Timestamp,
  updated_by: Type.String(),
});
export const StageList = Type.Object({ items: Type.Array(Stage), kill_switch: Type.Boolean(), mode_ceiling: Mode });
const PinTarget = Type.Object({ pack: Type.String(), version: Type.String(), mode: Mode, shadow: Type.Optional(Type.String({ description: 'Present when the stage carried a shadow candidate.' })) });
export const StageHistory = Type.Object({
  stage: Type.String(),
  items: Type.Array(
    Type.Object({ changed_at: Timestamp, changed_by: Type.String(), from: Nullable(PinTarget), to: PinTarget }),
  ),
});

export const AuditQuery = Type.Object(
  {
    stage: Type.Optional(StageName),
    decision: Type.Optional(DecisionStatus),
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    workflow_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  },
  { additionalProperties: false },
);
export const AuditItem = Type.Object({
  request_id: Type.String(),
  receipt_id: Nullable(Type.String()),
  created_at: Timestamp,
  stage: Type.String(),
  mode: Mode,
  pack: Type.String(),
  policy_version: Type.String(),
  policy_hash: Type.String(),
  decision: DecisionStatus,
  allowed: Type.Boolean(),
  violation_codes: Type.Array(Type.String()),
  violations: Type.Array(Type.Unknown()),
  content_sha256: Type.String(),
  content_size: Type.Integer(),
  content: Nullable(Type.String()),
  workflow_id: Nullable(Type.String()),
  agent: Nullable(Type.String()),
  platform: Nullable(Type.String()),
  caller: Type.String(),
  latency_ms: Type.Number(),
});
export const AuditPage = Type.Object({ items: Type.Array(AuditItem), next_cursor: Nullable(Type.String()) });

export const AgentRunRequest = Type.Object(
  {
    workflow_id: Label(200, 'Workflow id.'),
    agent: Label(200, 'Agent name.'),
    start_ms: Type.Integer({ minimum: 0, description: 'Epoch milliseconds.' }),
    end_ms: Type.Integer({ minimum: 0, description: 'Epoch milliseconds, ≥ start_ms.' }),
    success: Type.Boolean(),
    failure_reason: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  },
  { additionalProperties: false },
);
export const AgentRunResponse = Type.Object({ ...AgentRunRequest.properties, failure_reason: Nullable(Type.String()), caller: Type.String() });

export const RequestIdParams = Type.Object({ request_id: Type.String({ format: 'uuid' }) });
export const Health = Type.Object({ status: Type.Literal('ok') });
export const Readiness = Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.Unknown()) });

// ---- Overrides and the readiness report (issue 7) ------------------------------------------------

/** Free text that must say something: not empty, not only spaces. */
const Said = (maxLength: number, description: string) => Type.String({ minLength: 1, maxLength, pattern: '\\S', description });

export const OverrideRequest = Type.Object(
  {
    request_id: Type.String({ format: 'uuid', description: 'request_id of the blocked decision (an enforced FAIL).' }),
    actor: Said(200, 'The person who decides the override (name or handle); recorded in the override row, the log and the receipt.'),
    reason: Said(2000, 'Why the block is overridden; recorded in the override row, the log and the receipt.'),
    content: Type.Optional(
      Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
        description: 'Optional: the content, checked against the decision’s content hash (not stored). Needed only for decisions recorded before content_kind was kept.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const Override = Type.Object({
  override_id: Type.String({ format: 'uuid' }),
  created_at: Timestamp,
  request_id: Type.String(),
  overridden_receipt_id: Nullable(Type.String()),
  receipt_id: Type.String({ description: 'jti of the override receipt.' }),
  stage: Type.String(),
  mode: Mode,
  policy: PolicyRef,
  decision: DecisionStatus,
  violation_codes: Type.Array(Type.String()),
  content_sha256: Type.String(),
  content_kind: StringEnum(['text', 'thread']),
  actor: Type.String(),
  reason: Type.String(),
  caller: Type.String({ description: 'Label of the API key that asked for the override.' }),
});
export const OverrideResponse = Type.Object(
  { ...Override.properties, receipt: Type.String({ description: 'Signed override receipt: same content hash, `override: true`.' }) },
  { description: 'The override row, and the new receipt that lets the blocked content post.' },
);
export const OverrideQuery = Type.Object(
  {
    request_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    stage: Type.Optional(StageName),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  { additionalProperties: false },
);
export const OverrideList = Type.Object({ items: Type.Array(Override) });

/** `72h`, `3d`, `90m`. */
export const DURATION_PATTERN = '^[1-9][0-9]{0,5}(m|h|d)$';
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
const ThresholdCheck = Type.Object({
  id: Type.String(),
  description: Type.String(),
  measured: Nullable(Type.Number({ description: 'In `unit`; null when there was no data (the check then fails).' })),
  operator: StringEnum(['>=', '<', '==']),
  threshold: Type.Number(),
  unit: StringEnum(['percent', 'ms', 'hours', 'count']),
  pass: Type.Boolean(),
  note: Type.Optional(Type.String()),
});
const ThresholdSet = Type.Object({ pass: Type.Boolean(), checks: Type.Array(ThresholdCheck) });
export const ReadinessReport = Type.Object(
  {
    stage: Type.String(),
    window: Type.Object({ spec: Type.String(), from: Timestamp, until: Timestamp, hours: Type.Number() }),
    generated_at: Timestamp,
    pin: Nullable(Type.Object({ pack: Type.String(), version: Type.String(), mode: Mode })),
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

// ---- Rollout: kill switch, fleet attestation, shadow report (docs/rollout.md) ----

export const KillSwitchRequest = Type.Object(
  {
    engaged: Type.Boolean({ description: 'true: every stage runs off on every instance; false: back to the pinned modes.' }),
    reason: Type.String({ minLength: 1, maxLength: 1000, pattern: '\\S', description: 'Why; recorded with who and when.' }),
  },
  { additionalProperties: false },
);
const KillSwitchChange = Type.Object({
  engaged: Type.Boolean(),
  reason: Type.String(),
  changed_by: Type.String({ description: 'Label of the admin key.' }),
  changed_by_id: Type.String({ description: 'Id of the admin key.' }),
  changed_at: Timestamp,
});
export const KillSwitch = Type.Object({
  engaged: Type.Boolean({ description: 'Effective on the instance that answered.' }),
  sources: Type.Object({
    api: Type.Boolean({ description: 'Thrown through this API (shared by every instance).' }),
    environment: Type.Boolean({ description: 'GATEHOUSE_KILL_SWITCH=1 on the instance that answered; cannot be released through the API.' }),
  }),
  state: Nullable(KillSwitchChange),
  note: Type.Optional(Type.String()),
  history: Type.Array(KillSwitchChange, { description: 'Newest first.' }),
});

const FleetStage = Type.Object(
  {
    stage: Type.String(),
    pack: Type.String(),
    version: Type.String(),
    mode: Mode,
    effective_mode: Mode,
    shadow: Nullable(Type.String()),
    status: StringEnum(['serving', 'unavailable']),
    hash: Nullable(Type.String({ description: 'Hash of the compiled pack the instance serves.' })),
    error: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export const Fleet = Type.Object({
  generated_at: Timestamp,
  pins: Type.Array(
    Type.Object({ stage: Type.String(), pack: Type.String(), version: Type.String(), hash: Nullable(Type.String()), mode: Mode, shadow: Nullable(Type.String()) }),
  ),
  kill_switch: Type.Object({ engaged: Type.Boolean() }),
  instances: Type.Array(
    Type.Object(
      {
        instance_id: Type.String({ description: 'hostname:pid:random' }),
        hostname: Type.String(),
        pid: Type.Integer(),
        version: Type.String(),
        started_at: Timestamp,
        last_seen_at: Timestamp,
        last_refresh_at: Nullable(Timestamp),
        stopped_at: Nullable(Timestamp),
        interval_ms: Type.Integer(),
        status: StringEnum(['live', 'stale', 'stopped'], { description: 'stale: not seen for more than three heartbeat intervals.' }),
        kill_switch: Type.Object({ engaged: Type.Boolean(), api: Type.Boolean(), environment: Type.Boolean() }),
        mode_ceiling: Mode,
        stages: Type.Array(FleetStage),
        runtime: Type.Record(Type.String(), Type.Unknown()),
        in_sync: Type.Boolean(),
        mismatches: Type.Array(
          Type.Object({
            stage: Nullable(Type.String()),
            kind: StringEnum(['missing', 'version_mismatch', 'hash_mismatch', 'unavailable', 'mode_mismatch', 'kill_switch_mismatch']),
            expected: Type.String(),
            served: Nullable(Type.String()),
          }),
        ),
      },
      { additionalProperties: true },
    ),
  ),
  summary: Type.Object({ instances: Type.Integer(), live: Type.Integer(), stale: Type.Integer(), stopped: Type.Integer(), out_of_sync: Type.Integer() }),
});

export const ShadowReportQuery = Type.Object(
  {
    stage: StageName,
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    candidate: Type.Optional(Type.String({ pattern: '^[^@\\s]{1,100}@[^@\\s]{1,64}$', description: 'Only this candidate `pack@version`.' })),
    examples: Type.Integer({ minimum: 0, maximum: 20, default: 3, description: 'Examples per kind of change.' }),
  },
  { additionalProperties: false },
);
const ShadowEngineStatus = StringEnum(['PASS', 'FAIL']);
export const ShadowReport = Type.Object({
  stage: Type.String(),
  from: Nullable(Timestamp),
  to: Nullable(Timestamp),
  candidate: Nullable(Type.String()),
  compared: Type.Integer({ description: 'Evaluations compared (the candidate ran).' }),
  errors: Type.Integer({ description: 'Evaluations for which the candidate could not run.' }),
  same_decision: Type.Integer(),
  flips: Type.Object({ pass_to_fail: Type.Integer(), fail_to_pass: Type.Integer() }),
  codes_changed: Type.Integer({ description: 'Same decision, other codes.' }),
  codes: Type.Array(
    Type.Object({
      code: Type.String(),
      gained: Type.Integer(),
      lost: Type.Integer(),
      gained_in_pass_to_fail: Type.Integer(),
      lost_in_fail_to_pass: Type.Integer(),
    }),
  ),
  pairs: Type.Array(Type.Object({ policy: Type.String(), candidate: Type.String(), compared: Type.Integer(), errors: Type.Integer() })),
  first_at: Nullable(Timestamp),
  last_at: Nullable(Timestamp),
  examples: Type.Array(
    Type.Object({
      kind: StringEnum(['PASS_TO_FAIL', 'FAIL_TO_PASS', 'CODES_CHANGED']),
      request_id: Type.String(),
      created_at: Timestamp,
      policy: Type.String(),
      candidate: Type.String(),
      decision: ShadowEngineStatus,
      shadow_decision: ShadowEngineStatus,
      gained: Type.Array(Type.String()),
      lost: Type.Array(Type.String()),
      evidence: Type.Array(
        Type.Object({
          side: StringEnum(['candidate', 'pinned']),
          code: Type.String(),
          post: Type.Optional(Type.Integer()),
          evidence: Type.Optional(Type.String({ description: 'Masked.' })),
        }),
      ),
      content: Type.Optional(Nullable(Type.String({ description: 'Only when GATEHOUSE_AUDIT_STORE_CONTENT is on.' }))),
    }),
  ),
});

/** Named schemas published under components/schemas. */
export const components = {
  ErrorBody, EvaluateRequest, EvaluateResponse, Decision, Violation, Warning, RequiredEdit, PolicyRef,
  VerifyRequest, VerifyResponse, ReceiptClaims, Jwks, PackVersion, PackList, PackVersions, PinRequest, Stage,
  StageList, StageHistory, AuditItem, AuditPage, AgentRunRequest, AgentRunResponse, Health, Readiness,
  KillSwitchRequest, KillSwitch, Fleet, ShadowReport,
  OverrideRequest, Override, OverrideResponse, OverrideList, ReadinessReport,
} as const;

export type EvaluateRequestBody = Static<typeof EvaluateRequest>;
export type EvaluateResponseBody = Static<typeof EvaluateResponse>;
export type DecisionBody = Static<typeof Decision>;
export type ViolationBody = Static<typeof Violation>;
export type WarningBody = Static<typeof Warning>;
export type ReceiptClaimsBody = Static<typeof ReceiptClaims>;
export type PinRequestBody = Static<typeof PinRequest>;
export type StageBody = Static<typeof Stage>;
export type AuditQueryParams = Static<typeof AuditQuery>;
export type AuditItemBody = Static<typeof AuditItem>;
export type AgentRunRequestBody = Static<typeof AgentRunRequest>;
export type OverrideRequestBody = Static<typeof OverrideRequest>;
export type OverrideBody = Static<typeof Override>;
export type ReadinessReportBody = Static<typeof ReadinessReport>;
