/** POST and GET /v1/overrides: a person allows one enforced FAIL, with actor and reason. */
import { Type, type Static } from '@sinclair/typebox';
import { DecisionStatusSchema, ModeSchema, Nullable, StageName, StringEnum, Timestamp } from './common.js';
import { PolicyRef } from './evaluations.js';

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
  mode: ModeSchema,
  policy: PolicyRef,
  decision: DecisionStatusSchema,
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

export const overrideComponents = { OverrideRequest, Override, OverrideResponse, OverrideList } as const;

export type OverrideRequestBody = Static<typeof OverrideRequest>;
export type OverrideBody = Static<typeof Override>;
