/** GET /v1/audit and POST /v1/agent-runs: audit rows and agent run telemetry. */
import { Type, type Static } from '@sinclair/typebox';
import { DecisionStatusSchema, Label, ModeSchema, Nullable, StageName, Timestamp } from './common.js';

export const AuditQuery = Type.Object(
  {
    stage: Type.Optional(StageName),
    decision: Type.Optional(DecisionStatusSchema),
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
  mode: ModeSchema,
  pack: Type.String(),
  policy_version: Type.String(),
  policy_hash: Type.String(),
  decision: DecisionStatusSchema,
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

export const auditComponents = { AuditItem, AuditPage, AgentRunRequest, AgentRunResponse } as const;

export type AuditItemBody = Static<typeof AuditItem>;
