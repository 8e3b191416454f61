/**
 * Offline receipt verification: the same checks and the same answers as
 * `POST /v1/receipts/verify`, against the service's public keys (JWKS),
 * with no call to the service per post. A remote JWKS is fetched once,
 * cached, and fetched again when a receipt names an unknown `kid` (a key
 * rotated in since), at most once per cooldown.
 */
import {
  createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify,
  type JSONWebKeySet, type JWTVerifyGetKey,
} from 'jose';
import { HTTP_STATUS } from '../contract/error-codes.js';
import { canonicalContent, contentSha256 } from '../contract/content-hash.js';
import { allowedToPost, bindingMismatch, type ReceiptExpectation } from '../contract/posting-rule.js';
import { ALG, receiptVerifyOptions } from '../contract/receipt-format.js';
import { GatehouseError } from './gatehouse-error.js';
import type { GatehouseReceiptClaims, JsonWebKeySet, PostContent, VerifiedReceipt } from './types.js';

/** A JSON Web Key Set: jose's type, or the client's `jwks()` answer. */
export type KeySet = JSONWebKeySet | JsonWebKeySet;

/** Verifies a receipt against the content about to be posted; rejects with a {@link GatehouseError}. */
export interface ReceiptVerifier {
  /**
   * With `expected`, a receipt decided for another stage or platform is refused
   * (RECEIPT_STAGE_MISMATCH / RECEIPT_PLATFORM_MISMATCH, 422), as by the verify endpoint.
   */
  verify(receipt: string | undefined, content: PostContent, expected?: ReceiptExpectation): Promise<VerifiedReceipt>;
}

export interface JwksVerifierOptions {
  /** The service's JWKS URL (`{baseUrl}/.well-known/jwks.json`). One of `jwksUrl` or `jwks`. */
  jwksUrl?: string | URL;
  /** A JWKS given as is (tests, air-gapped posting services): never refreshed. */
  jwks?: KeySet;
  /** Clock for expiry checks. @defaultValue the system clock */
  now?: () => Date;
  /** Time limit of one JWKS fetch. @defaultValue 5,000 ms */
  timeoutMs?: number;
  /** Least time between two fetches caused by unknown `kid`s. @defaultValue 30,000 ms */
  cooldownMs?: number;
  /** Keys are fetched again after this long even without an unknown `kid`. @defaultValue 600,000 ms */
  cacheMaxAgeMs?: number;
}

// The posting rule (a PASS, or off/advisory, or an override), the one the service answers with.
export { allowedToPost, type ReceiptExpectation };

/** A verifier over a remote JWKS (cached) or a given one. */
export function createJwksVerifier(options: JwksVerifierOptions): ReceiptVerifier {
  const keys = keyResolver(options);
  const now = options.now ?? (() => new Date());
  return {
    async verify(receipt, content, expected) {
      if (receipt === undefined || receipt.trim() === '') {
        throw refusal('ENFORCEMENT_RECEIPT_REQUIRED', 'A receipt is required to post this content.', {});
      }
      const claims = await verifyToken(receipt, keys, now);
      if (claims.content_sha256 !== contentSha256(content) || claims.content_kind !== canonicalContent(content).kind) {
        throw refusal('RECEIPT_CONTENT_MISMATCH', 'The receipt was issued for other content.', { receipt_id: claims.jti });
      }
      const mismatch = bindingMismatch(claims, expected);
      if (mismatch) throw refusal(mismatch.code, mismatch.message, { ...mismatch.details, receipt_id: claims.jti });
      return { valid: true, allowed_to_post: allowedToPost(claims), override: claims.override === true, claims };
    },
  };
}

const remoteVerifiers = new Map<string, ReceiptVerifier>();

/**
 * Verifies a receipt offline, against a JWKS URL, a JWKS object, or a
 * verifier from {@link createJwksVerifier} (to set the clock, timeouts or
 * cache times). For a URL the verifier, and so its key cache, is kept per
 * URL for the life of the process.
 */
export function verifyReceiptOffline(
  receipt: string | undefined,
  content: PostContent,
  keys: string | URL | KeySet | ReceiptVerifier,
  expected?: ReceiptExpectation,
): Promise<VerifiedReceipt> {
  return verifierFor(keys).verify(receipt, content, expected);
}

/** The verifier for a JWKS URL (one per URL per process), a JWKS object, or a verifier as is. */
export function verifierFor(keys: string | URL | KeySet | ReceiptVerifier): ReceiptVerifier {
  if (typeof keys !== 'string' && !(keys instanceof URL)) return 'verify' in keys ? keys : createJwksVerifier({ jwks: keys });
  const url = new URL(keys).href;
  let verifier = remoteVerifiers.get(url);
  if (!verifier) remoteVerifiers.set(url, (verifier = createJwksVerifier({ jwksUrl: url })));
  return verifier;
}

function keyResolver(options: JwksVerifierOptions): JWTVerifyGetKey {
  // The service publishes JWKs; the schema types them loosely (Record<string, unknown>), jose checks each key on import.
  if (options.jwks) return createLocalJWKSet(options.jwks as JSONWebKeySet);
  if (!options.jwksUrl) throw new TypeError('createJwksVerifier needs `jwksUrl` or `jwks`.');
  return createRemoteJWKSet(new URL(options.jwksUrl), {
    timeoutDuration: options.timeoutMs ?? 5_000,
    cooldownDuration: options.cooldownMs ?? 30_000,
    cacheMaxAge: options.cacheMaxAgeMs ?? 600_000,
  });
}

async function verifyToken(token: string, keys: JWTVerifyGetKey, now: () => Date): Promise<GatehouseReceiptClaims> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw refusal('RECEIPT_INVALID', 'The receipt is not a signed token.', {});
  }
  // Like the service: a receipt must name its key; jose alone would try the only key of a one-key set.
  const unknownKey = () => refusal('RECEIPT_INVALID', 'The receipt was signed by an unknown key.', { kid: header.kid ?? null });
  if (!header.kid) throw unknownKey();
  if (header.alg !== ALG) throw refusal('RECEIPT_INVALID', 'The receipt signature or claims are not valid.', { reason: 'ERR_JOSE_ALG_NOT_ALLOWED' });
  let key: Awaited<ReturnType<JWTVerifyGetKey>>;
  try {
    key = await keys({ ...header, alg: ALG }, { payload: '', signature: '' });
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw unknownKey();
    // Not the receipt's fault: the keys could not be had. Callers must fail closed.
    throw new GatehouseError('VERIFIER_UNAVAILABLE', `The receipt keys (JWKS) could not be loaded: ${(error as Error).message}.`, {
      status: 503,
      cause: error,
    });
  }
  try {
    const { payload } = await jwtVerify(token, key, receiptVerifyOptions(now()));
    return payload as unknown as GatehouseReceiptClaims;
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      throw refusal('RECEIPT_EXPIRED', 'The receipt has expired.', { expired_at: new Date(Number(error.payload.exp) * 1000).toISOString() });
    }
    if (error instanceof errors.JOSEError) {
      throw refusal('RECEIPT_INVALID', 'The receipt signature or claims are not valid.', { reason: error.code });
    }
    throw error;
  }
}

type Refusal =
  | 'ENFORCEMENT_RECEIPT_REQUIRED' | 'RECEIPT_INVALID' | 'RECEIPT_CONTENT_MISMATCH' | 'RECEIPT_EXPIRED'
  | 'RECEIPT_STAGE_MISMATCH' | 'RECEIPT_PLATFORM_MISMATCH';

/** A refusal with the status the service answers it with, so a posting app can relay it unchanged. */
function refusal(code: Refusal, message: string, details: unknown): GatehouseError {
  return new GatehouseError(code, message, { status: HTTP_STATUS[code], details });
}
