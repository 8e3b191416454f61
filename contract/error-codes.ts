/**
 * Every error code of the API, its suggested fix and its HTTP status, in one
 * table: the service throws them (server/errors.ts), /openapi.json lists them
 * and the client relays them with the same status.
 */

export const ERROR_CODES = {
  INVALID_REQUEST: 'Fix the fields listed in details and send the request again.',
  UNAUTHORIZED: 'Send a valid API key as `Authorization: Bearer <key>`.',
  FORBIDDEN: 'Use a key whose role allows this operation (admin for pins, modes and audit).',
  NOT_FOUND: 'Check the method and path against /openapi.json.',
  PAYLOAD_TOO_LARGE: 'Send less content per request: split the thread or raise the configured limit.',
  RATE_LIMITED: 'Wait for the number of seconds in the Retry-After header, then retry.',
  STAGE_NOT_FOUND: 'Pin the stage first with PUT /v1/stages/{stage} (admin), or use a pinned stage from GET /v1/stages.',
  POLICY_VERSION_NOT_FOUND: 'Pick a published version from GET /v1/packs/{id}/versions.',
  POLICY_VERSION_UNAVAILABLE: 'This instance cannot load or compile the version pinned for the stage and will not serve another one: retry (another instance may serve it), check GET /v1/fleet, and upgrade this instance or pin a version it can compile.',
  QA_REJECTED: 'Apply the required_edits (or the suggestedFix of each violation) and evaluate again.',
  HARMFUL_CONTENT: 'Remove the harmful content; do not post it. If it expresses distress, point to support resources instead.',
  AUDIT_UNAVAILABLE: 'The audit store could not record the decision; retry shortly. Posting is refused in enforced mode until it is recorded.',
  CIRCUIT_BREAKER_TRIPPED: 'The audit store is failing; decisions are kept locally until it recovers. Retry shortly.',
  ENFORCEMENT_RECEIPT_REQUIRED: 'Evaluate the content with POST /v1/evaluate and send the receipt it returns.',
  RECEIPT_INVALID: 'Send the receipt exactly as POST /v1/evaluate returned it; forged or altered receipts are refused.',
  RECEIPT_CONTENT_MISMATCH: 'The receipt was issued for other content: evaluate this exact content to get its own receipt.',
  RECEIPT_EXPIRED: 'Evaluate the content again to get a fresh receipt.',
  RECEIPT_STAGE_MISMATCH: 'The receipt was issued for another stage: evaluate the content on the stage this service posts for and send that receipt.',
  RECEIPT_PLATFORM_MISMATCH: 'The receipt was issued for another platform: evaluate the content with `platform` set to the platform this service posts to and send that receipt.',
  EVALUATION_TIMEOUT: 'Send shorter content, or raise GATEHOUSE_EVALUATION_TIMEOUT_MS.',
  OVERRIDE_NOT_APPLICABLE: 'Only a FAIL decided under enforced mode needs an override: a PASS, or any decision under off or advisory, already verifies with allowed_to_post true.',
  OVERLOADED: 'The server is at its limit of connections or event streams: wait for the number of seconds in the Retry-After header, then retry (close streams you no longer read).',
  HEADERS_TOO_LARGE: 'Send smaller headers: the request line and headers together must fit the configured limit (16 kB by default).',
  REQUEST_TIMEOUT: 'Send the whole request promptly: the headers and the body must arrive within the configured timeouts.',
  NOT_READY: 'Wait for the server to finish starting, or check the database connection.',
  INTERNAL: 'Retry; if it persists, report the request id to the operators.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The one map from error code to HTTP status. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  STAGE_NOT_FOUND: 404,
  POLICY_VERSION_NOT_FOUND: 404,
  // 503: this instance fails closed for the stage; another instance (or a later pin) can serve it.
  POLICY_VERSION_UNAVAILABLE: 503,
  // Decisions are answered with 200; these two only appear as a decision's `error`.
  QA_REJECTED: 200,
  HARMFUL_CONTENT: 200,
  AUDIT_UNAVAILABLE: 503,
  CIRCUIT_BREAKER_TRIPPED: 503,
  // 428 Precondition Required: the operation needs a receipt that was not sent.
  ENFORCEMENT_RECEIPT_REQUIRED: 428,
  // 422: the receipt is well-formed JSON input but is refused.
  RECEIPT_INVALID: 422,
  RECEIPT_CONTENT_MISMATCH: 422,
  RECEIPT_EXPIRED: 422,
  // 422: a valid receipt, but decided for another stage or platform than the one posted to (issue 13).
  RECEIPT_STAGE_MISMATCH: 422,
  RECEIPT_PLATFORM_MISMATCH: 422,
  EVALUATION_TIMEOUT: 503,
  // 409: the decision exists but is not in a state an override applies to.
  OVERRIDE_NOT_APPLICABLE: 409,
  // 503 with Retry-After: a connection or event-stream cap (issue 13); not the caller's fault.
  OVERLOADED: 503,
  HEADERS_TOO_LARGE: 431,
  REQUEST_TIMEOUT: 408,
  NOT_READY: 503,
  INTERNAL: 500,
};

export const DEFAULT_MESSAGES: Partial<Record<ErrorCode, string>> = {
  INVALID_REQUEST: 'The request is not valid.',
  UNAUTHORIZED: 'A valid API key is required.',
  FORBIDDEN: 'This API key may not do that.',
  NOT_FOUND: 'No such route.',
  PAYLOAD_TOO_LARGE: 'The request is too large.',
  RATE_LIMITED: 'Too many requests for this API key.',
  INTERNAL: 'Internal error.',
};

/** The one error shape of the API: `{ error: { code, message, suggestedFix, details } }`. */
export interface ErrorBody {
  error: { code: string; message: string; suggestedFix: string; details: unknown };
}

export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code];
}
