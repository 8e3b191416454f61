/**
 * The client's one error type: the service's canonical error shape
 * (`{ error: { code, message, suggestedFix, details } }`) as an Error, plus
 * the few codes that only a client can produce (the network, a timeout, a
 * JWKS that cannot be fetched, a refusal by the posting gate).
 */
import { ERROR_CODES, type ErrorBody, type ErrorCode } from '../contract/error-codes.js';

/** Codes raised by the client itself, never by the service. */
export const CLIENT_ERROR_CODES = {
  NETWORK_ERROR: 'Check that the gatehouse URL is right and the service is reachable; idempotent calls were already retried.',
  TIMEOUT: 'The service did not answer in time: retry, or raise `timeoutMs`.',
  UNEXPECTED_RESPONSE: 'The answer was not the gatehouse error shape (a proxy in between?): check the base URL.',
  VERIFIER_UNAVAILABLE: 'Receipts cannot be verified right now (JWKS or verify endpoint unreachable); posting is refused until they can. Retry shortly.',
  QA_BLOCKED: 'Apply the required edits, evaluate the edited content again and post it with its new receipt.',
  INVALID_EVENT: 'Relay the `event: enforcement` block exactly as formatEnforcementEvent wrote it.',
} as const;

export type ClientErrorCode = keyof typeof CLIENT_ERROR_CODES;
/** A canonical service code, a client code, or a code a newer service may add. */
export type GatehouseErrorCode = ErrorCode | ClientErrorCode | (string & {});

export interface GatehouseErrorInit {
  suggestedFix?: string;
  details?: unknown;
  /** HTTP status of the answer; 0 when there was none (network, timeout, offline checks). */
  status?: number;
  requestId?: string;
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** A failure reported by gatehouse (or by this client) with a canonical `code` and a `suggestedFix`. */
export class GatehouseError extends Error {
  readonly code: GatehouseErrorCode;
  readonly suggestedFix: string;
  readonly details: unknown;
  /** HTTP status of the answer; 0 when there was none. */
  readonly status: number;
  /** `X-Request-Id` of the answer, for the operators. */
  readonly requestId?: string;
  /** From `Retry-After`, when the service sent one. */
  readonly retryAfterSeconds?: number;

  constructor(code: GatehouseErrorCode, message: string, init: GatehouseErrorInit = {}) {
    super(message, { cause: init.cause });
    this.name = 'GatehouseError';
    this.code = code;
    this.suggestedFix = init.suggestedFix ?? suggestedFixOf(code);
    this.details = init.details ?? {};
    this.status = init.status ?? 0;
    this.requestId = init.requestId;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  /** The service's error shape, so a posting app can answer with it unchanged. */
  toJSON(): ErrorBody {
    return { error: { code: this.code, message: this.message, suggestedFix: this.suggestedFix, details: this.details } };
  }
}

function suggestedFixOf(code: string): string {
  return (ERROR_CODES as Record<string, string>)[code] ?? (CLIENT_ERROR_CODES as Record<string, string>)[code] ?? 'See the error message.';
}
