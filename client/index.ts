/**
 * `@gatehouse/client`: what a backend service imports to call gatehouse, to
 * verify receipts offline, to gate posting, and to relay decisions to a
 * front end. Nothing here loads Express or the server at runtime.
 */
export { GatehouseClient, type CallOptions, type EvaluateOptions, type GatehouseClientOptions } from './client.js';
export { CLIENT_ERROR_CODES, GatehouseError, type ClientErrorCode, type GatehouseErrorCode, type GatehouseErrorInit } from './gatehouse-error.js';
export {
  allowedToPost, createJwksVerifier, verifyReceiptOffline, type JwksVerifierOptions, type KeySet, type ReceiptExpectation, type ReceiptVerifier,
} from './offline-verify.js';
export {
  RECEIPT_HEADER, WARNING_HEADER, requireReceipt, type PostingGateLocals, type PostingRateLimit, type PostingScope, type RequireReceiptOptions,
} from './posting-gate.js';
export {
  ENFORCEMENT_EVENT, EnforcementEventSchema, formatEnforcementEvent, parseEnforcementEvent, toEnforcementEvent,
  type EnforcementEvent, type EnforcementSource,
} from './enforcement-event.js';
export { canonicalContent, contentSha256, type ContentKind } from '../contract/content-hash.js';
export type * from './types.js';
