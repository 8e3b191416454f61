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
  allowed_to_post: Type.Boolean({ description: 'false only for a FAIL decided under enforced mode.' }),
  claims: ReceiptClaims,
});

export const Jwks = Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) });

export const PackVersion = Type.Object({ pack: Type.String(), version: Type.String(), hash: Type.String(), published_at: Timestamp });
export const PackList = Type.Object({ items: Type.Array(PackVersion) });
export const PackVersions = Type.Object({ pack: Type.String(), items: Type.Array(PackVersion) });
export const PackParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const StageParams = Type.Object({ stage: StageName });
export const PinRequest = Type.Object(
  {
    pack: Label(100, 'Pack id.'),
    version: Label(64, 'A published version of the pack.'),
    mode: Type.Optional(
      StringEnum(['off', 'advisory', 'enforced'], { description: 'Default: the stage’s current mode, or off for a new stage.' }),
    ),
  },
  { additionalProperties: false },
);
export const Stage = Type.Object({
  stage: Type.String(),
  pack: Type.String(),
  version: Type.String(),
  mode: Mode,
  effective_mode: Mode,
  updated_at: Timestamp,
  updated_by: Type.String(),
});
export const StageList = Type.Object({ items: Type.Array(Stage), kill_switch: Type.Boolean(), mode_ceiling: Mode });
const PinTarget = Type.Object({ pack: Type.String(), version: Type.String(), mode: Mode });
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

/** Named schemas published under components/schemas. */
export const components = {
  ErrorBody, EvaluateRequest, EvaluateResponse, Decision, Violation, Warning, RequiredEdit, PolicyRef,
  VerifyRequest, VerifyResponse, ReceiptClaims, Jwks, PackVersion, PackList, PackVersions, PinRequest, Stage,
  StageList, StageHistory, AuditItem, AuditPage, AgentRunRequest, AgentRunResponse, Health, Readiness,
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
