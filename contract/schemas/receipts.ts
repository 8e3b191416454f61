/** Receipts: their claims, POST /v1/receipts/verify and the public keys (JWKS). */
import { Type } from '@sinclair/typebox';
import { Content, DecisionStatusSchema, Label, ModeSchema, Nullable, StringEnum } from './common.js';

function OneOrMany(maxLength: number, description: string) {
  return Type.Union([Label(maxLength, description), Type.Array(Label(maxLength, description), { minItems: 1, maxItems: 32 })], { description });
}

export const ReceiptClaims = Type.Object(
  {
    iss: Type.Literal('gatehouse'),
    jti: Type.String({ description: 'receipt_id' }),
    sub: Type.String({ description: 'request_id' }),
    stage: Type.String({ description: 'The stage the decision was made for; a posting service for another stage refuses it.' }),
    platform: Type.Optional(Nullable(Type.String({
      description: 'The platform whose rules the decision applied (the request’s `platform`, else the pack default); a posting service for another platform refuses it. Absent on receipts signed before receipts carried it.',
    }))),
    mode: ModeSchema,
    pack: Type.String(),
    policy_version: Type.String(),
    policy_hash: Type.String(),
    decision: DecisionStatusSchema,
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
    stage: Type.Optional(OneOrMany(64, 'The stage(s) this content is posted for: a receipt for any other stage → RECEIPT_STAGE_MISMATCH (422).')),
    platform: Type.Optional(OneOrMany(64, 'The platform(s) this content is posted to: a receipt for any other platform → RECEIPT_PLATFORM_MISMATCH (422).')),
  },
  { additionalProperties: false },
);

export const VerifyResponse = Type.Object({
  valid: Type.Literal(true),
  allowed_to_post: Type.Boolean({ description: 'false only for a FAIL decided under enforced mode, unless the receipt is an override receipt.' }),
  override: Type.Optional(Type.Boolean({ description: 'true for an override receipt (the service always answers it).' })),
  claims: ReceiptClaims,
});

export const Jwks = Type.Object({
  keys: Type.Array(Type.Record(Type.String(), Type.Unknown()), {
    description: 'Public JWKs. Each carries `status` (`active` | `retired`); a retired key also `retired_at` and `not_after` (NumericDate): it verifies only receipts with `iat` ≤ `not_after`.',
  }),
  revoked: Type.Optional(Type.Array(Type.Object({ kid: Type.String(), revoked_at: Type.Integer({ description: 'NumericDate' }) }), {
    description: 'Keys revoked (leaked) while receipts they signed may be unexpired: refuse anything they signed.',
  })),
});

export const receiptComponents = { VerifyRequest, VerifyResponse, ReceiptClaims, Jwks } as const;
