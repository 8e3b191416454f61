/** POST /v1/evaluate and GET /v1/decisions/{request_id}: the request, the decision and its findings. */
import { Type, type Static } from '@sinclair/typebox';
import { Content, DecisionStatusSchema, Label, ModeSchema, Nullable, Span, StageName, StringEnum } from './common.js';

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
    { violations: Type.Optional(Type.Array(Violation)), decision: Type.Optional(DecisionStatusSchema) },
    { additionalProperties: true },
  ),
});

const decisionFields = {
  request_id: Type.String({ format: 'uuid' }),
  receipt_id: Nullable(Type.String({ format: 'uuid' })),
  stage: Type.String(),
  mode: ModeSchema,
  policy: PolicyRef,
  decision: DecisionStatusSchema,
  checks: Type.Array(Type.String(), { description: 'Checks run; empty when the effective mode is off.' }),
  allowed: Type.Boolean(),
  violations: Type.Array(Violation, {
    description: "Findings of the block checks that fired. A check's violations are a set (two that would read the same are listed once); at most 20 different ones per check and post.",
  }),
  required_edits: Type.Array(RequiredEdit, { description: "The edits the fired checks ask for; a check's edits are a set, as its violations are." }),
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


export const RequestIdParams = Type.Object({ request_id: Type.String({ format: 'uuid' }) });

export const evaluationComponents = { EvaluateRequest, EvaluateResponse, Decision, Violation, Warning, RequiredEdit, PolicyRef } as const;

export type EvaluateRequestBody = Static<typeof EvaluateRequest>;
export type EvaluateResponseBody = Static<typeof EvaluateResponse>;
export type DecisionBody = Static<typeof Decision>;
export type WarningBody = Static<typeof Warning>;
