/**
 * Request and response types of the client, derived from the same TypeBox
 * schemas that validate requests and publish /openapi.json, so the client
 * cannot drift from the contract. Type-only imports: nothing of the server
 * is loaded at runtime.
 */
import type { Static } from '@sinclair/typebox';
import type { AgentRunRequest, AgentRunResponse } from '../contract/schemas/audit.js';
import type { Content } from '../contract/schemas/common.js';
import type { Decision, EvaluateRequest, EvaluateResponse } from '../contract/schemas/evaluations.js';
import type { Jwks, ReceiptClaims, VerifyResponse } from '../contract/schemas/receipts.js';
import type { KillSwitch, KillSwitchRequest } from '../contract/schemas/rollout.js';
import type { OverrideRequest, OverrideResponse } from '../contract/schemas/overrides.js';
import type { PinRequest, Stage, StageHistory, StageList } from '../contract/schemas/stages.js';

export type EvaluateInput = Static<typeof EvaluateRequest>;
export type EvaluateResult = Static<typeof EvaluateResponse>;
export type StoredDecision = Static<typeof Decision>;
export type PostContent = Static<typeof Content>;
export type AgentRun = Static<typeof AgentRunRequest>;
export type RecordedAgentRun = Static<typeof AgentRunResponse>;
export type StagePin = Static<typeof PinRequest>;
export type StageView = Static<typeof Stage>;
export type StageListing = Static<typeof StageList>;
export type StageChanges = Static<typeof StageHistory>;
export type JsonWebKeySet = Static<typeof Jwks>;

export type KillSwitchChange = Static<typeof KillSwitchRequest>;
export type KillSwitchState = Static<typeof KillSwitch>;
export type OverrideInput = Static<typeof OverrideRequest>;
export type OverrideResult = Static<typeof OverrideResponse>;

/** Receipt claims; `override: true` marks an override receipt (a person allowed an enforced FAIL). */
export type GatehouseReceiptClaims = Static<typeof ReceiptClaims>;

/** The answer of `POST /v1/receipts/verify`, and of offline verification (same shape, same rules). */
export type VerifiedReceipt = Static<typeof VerifyResponse>;
