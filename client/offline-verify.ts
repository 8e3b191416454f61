/**
 * Offline receipt verification: the same checks and the same answers as
 * `POST /v1/receipts/verify`, against the service's public keys (JWKS),
 * with no call to the service per post. A remote JWKS is cached for as long
 * as its `Cache-Control: max-age` says (a minute from gatehouse), so that a
 * retired or revoked key reaches this verifier within that; it is fetched
 * again sooner when a receipt names an unknown `kid` (a key rotated in since),
 * at most once per cooldown. Both receipt formats verify: a compact JWS, and
 * a batch receipt (one signature over a Merkle root plus this receipt's
 * inclusion proof, contract/receipt-format.ts).
 */
import {
  compactVerify, createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify,
  type JSONWebKeySet, type JWK, type JWTVerifyGetKey,
} from 'jose';
import { HTTP_STATUS } from '../contract/error-codes.js';
import { canonicalContent, contentSha256 } from '../contract/content-hash.js';
import { allowedToPost, bindingMismatch, type ReceiptExpectation } from '../contract/posting-rule.js';
import {
  ALG, BATCH_TOKEN_TYPE, MalformedReceipt, checkBatchClaims, keyStatusRefusal, parseBatchReceipt, receiptVerifyOptions,
  type KeyStatusMembers,
} from '../contract/receipt-format.js';
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
  /**
   * The longest the keys are kept before they are fetched again: the JWKS's own
   * `Cache-Control: max-age` applies below it (60 s from gatehouse; 60 s when absent).
   * @defaultValue 600,000 ms
   */
  cacheMaxAgeMs?: number;
  /**
   * The longest stale keys are used while the JWKS cannot be fetched, as its
   * `stale-if-error` allows (600 s from gatehouse); afterwards verification fails
   * closed with VERIFIER_UNAVAILABLE. 0: fail closed as soon as the keys are stale.
   * @defaultValue 600,000 ms
   */
  maxStaleMs?: number;
  /** Milliseconds clock of the key cache (tests). @defaultValue Date.now */
  clock?: () => number;
}

// The posting rule (a PASS, or off/advisory, or an override), the one the service answers with.
export { allowedToPost, type ReceiptExpectation };

/** A verifier over a remote JWKS (cached) or a given one. */
export function createJwksVerifier(options: JwksVerifierOptions): ReceiptVerifier {
  const keys = keySource(options);
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

/** The keys as last fetched: jose's key lookup, each key's status, and the revoked `kid`s. */
interface KeyState {
  getKey: JWTVerifyGetKey;
  status: Map<string, KeyStatusMembers>;
  revoked: Map<string, number>;
  /** Clock values (ms): fetched, fresh until, usable while the JWKS is unreachable until. */
  fetchedAt: number;
  freshUntil: number;
  staleUntil: number;
}

type KeySource = (kid: string) => Promise<KeyState>;

/** Without a max-age from the server, keys are kept this long (gatehouse always sends one). */
const DEFAULT_MAX_AGE_MS = 60_000;

function keyState(jwks: KeySet, fetchedAt: number, freshUntil: number, staleUntil: number): KeyState {
  const status = new Map<string, KeyStatusMembers>();
  for (const key of jwks.keys as (JWK & KeyStatusMembers)[]) if (typeof key.kid === 'string') status.set(key.kid, key);
  const revoked = new Map<string, number>();
  const listed = (jwks as { revoked?: unknown }).revoked;
  if (Array.isArray(listed)) {
    for (const r of listed as { kid?: unknown; revoked_at?: unknown }[]) if (typeof r?.kid === 'string') revoked.set(r.kid, Number(r.revoked_at));
  }
  // The service publishes JWKs; the schema types them loosely (Record<string, unknown>), jose checks each key on import.
  return { getKey: createLocalJWKSet(jwks as JSONWebKeySet), status, revoked, fetchedAt, freshUntil, staleUntil };
}

function keySource(options: JwksVerifierOptions): KeySource {
  if (options.jwks) {
    const fixed = keyState(options.jwks, 0, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
    return async () => fixed;
  }
  if (!options.jwksUrl) throw new TypeError('createJwksVerifier needs `jwksUrl` or `jwks`.');
  const url = new URL(options.jwksUrl);
  const clock = options.clock ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const cooldownMs = options.cooldownMs ?? 30_000;
  const cacheMaxAgeMs = options.cacheMaxAgeMs ?? 600_000;
  const maxStaleMs = options.maxStaleMs ?? 600_000;
  let state: KeyState | undefined;
  let fetching: Promise<KeyState> | undefined;

  async function fetchKeys(): Promise<KeyState> {
    const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    if (response.status !== 200) throw new Error(`the JWKS answered HTTP ${response.status}`);
    const jwks = (await response.json()) as KeySet;
    if (!jwks || !Array.isArray(jwks.keys)) throw new Error('the JWKS has no "keys" array');
    const { maxAgeMs, staleIfErrorMs } = cacheControl(response.headers.get('cache-control'));
    const at = clock();
    const freshUntil = at + Math.min(maxAgeMs ?? DEFAULT_MAX_AGE_MS, cacheMaxAgeMs);
    return keyState(jwks, at, freshUntil, freshUntil + Math.min(staleIfErrorMs ?? 0, maxStaleMs));
  }

  async function refresh(): Promise<KeyState> {
    fetching ??= fetchKeys().finally(() => (fetching = undefined));
    try {
      return (state = await fetching);
    } catch (error) {
      // The JWKS cannot be had: keep the last keys while their stale-if-error window lasts, then fail closed.
      if (state && clock() < state.staleUntil) return state;
      throw error;
    }
  }

  return async (kid) => {
    const at = clock();
    if (!state || at >= state.freshUntil) return refresh();
    // A kid not seen yet: a key rotated in since the last fetch (at most once per cooldown).
    if (!state.status.has(kid) && !state.revoked.has(kid) && at - state.fetchedAt >= cooldownMs) return refresh();
    return state;
  };
}

/** max-age and stale-if-error of a Cache-Control header; no-store / no-cache mean max-age 0. */
function cacheControl(header: string | null): { maxAgeMs?: number; staleIfErrorMs?: number } {
  const found: { maxAgeMs?: number; staleIfErrorMs?: number } = {};
  for (const directive of (header ?? '').toLowerCase().split(',')) {
    const [name, value] = directive.trim().split('=') as [string, string | undefined];
    const seconds = Number(value);
    if (name === 'no-store' || name === 'no-cache') found.maxAgeMs = 0;
    else if (name === 'max-age' && Number.isFinite(seconds) && seconds >= 0) found.maxAgeMs ??= seconds * 1000;
    else if (name === 'stale-if-error' && Number.isFinite(seconds) && seconds >= 0) found.staleIfErrorMs = seconds * 1000;
  }
  return found;
}

async function verifyToken(token: string, keys: KeySource, now: () => Date): Promise<GatehouseReceiptClaims> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  let batch: ReturnType<typeof parseBatchReceipt>;
  try {
    batch = parseBatchReceipt(token);
    header = decodeProtectedHeader(batch ? batch.head : token);
  } catch {
    throw refusal('RECEIPT_INVALID', 'The receipt is not a signed token.', {});
  }
  // Like the service: a receipt must name its key; jose alone would try the only key of a one-key set.
  const unknownKey = () => refusal('RECEIPT_INVALID', 'The receipt was signed by an unknown key.', { kid: header.kid ?? null });
  if (!header.kid) throw unknownKey();
  if (header.alg !== ALG) throw refusal('RECEIPT_INVALID', 'The receipt signature or claims are not valid.', { reason: 'ERR_JOSE_ALG_NOT_ALLOWED' });
  let state: KeyState;
  let key: Awaited<ReturnType<JWTVerifyGetKey>>;
  try {
    state = await keys(header.kid);
    key = await state.getKey({ ...header, alg: ALG }, { payload: '', signature: '' });
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
      if (state! && state.revoked.has(header.kid)) throw revokedKey(header.kid, state.revoked.get(header.kid)!);
      throw unknownKey();
    }
    // Not the receipt's fault: the keys could not be had. Callers must fail closed.
    throw new GatehouseError('VERIFIER_UNAVAILABLE', `The receipt keys (JWKS) could not be loaded: ${(error as Error).message}.`, {
      status: 503,
      cause: error,
    });
  }
  let claims: GatehouseReceiptClaims;
  try {
    if (batch) {
      const { payload, protectedHeader } = await compactVerify(batch.head, key, { algorithms: [ALG] });
      if (protectedHeader.typ !== BATCH_TOKEN_TYPE) throw refusal('RECEIPT_INVALID', 'The receipt signature or claims are not valid.', { reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
      const checked = checkBatchClaims(batch, payload, now());
      if (!checked.ok && checked.code === 'RECEIPT_EXPIRED') {
        throw refusal('RECEIPT_EXPIRED', 'The receipt has expired.', { expired_at: new Date(checked.expiredAt * 1000).toISOString() });
      }
      if (!checked.ok) throw refusal('RECEIPT_INVALID', 'The receipt signature or claims are not valid.', { reason: checked.reason });
      claims = checked.claims as unknown as GatehouseReceiptClaims;
    } else {
      claims = (await jwtVerify(token, key, receiptVerifyOptions(now()))).payload as unknown as GatehouseReceiptClaims;
    }
  } catch (error) {
    if (error instanceof GatehouseError) throw error;
    if (error instanceof errors.JWTExpired) {
      throw refusal('RECEIPT_EXPIRED', 'The receipt has expired.', { expired_at: new Date(Number(error.payload.exp) * 1000).toISOString() });
    }
    if (error instanceof errors.JOSEError) {
      throw refusal('RECEIPT_INVALID', 'The receipt signature or claims are not valid.', { reason: error.code });
    }
    if (error instanceof MalformedReceipt) throw refusal('RECEIPT_INVALID', 'The receipt is not a signed token.', {});
    throw error;
  }
  // A retired key verifies only what it signed before its retirement (plus the signer lease).
  const status = state.status.get(header.kid) ?? {};
  if (keyStatusRefusal(status, claims.iat)) {
    throw refusal('RECEIPT_INVALID', 'The receipt was signed by a retired signing key.', {
      kid: header.kid,
      retired_at: new Date((status.retired_at ?? 0) * 1000).toISOString(),
    });
  }
  return claims;
}

function revokedKey(kid: string, revokedAt: number): GatehouseError {
  return refusal('RECEIPT_INVALID', 'The receipt was signed by a revoked signing key.', { kid, revoked_at: new Date(revokedAt * 1000).toISOString() });
}

type Refusal =
  | 'ENFORCEMENT_RECEIPT_REQUIRED' | 'RECEIPT_INVALID' | 'RECEIPT_CONTENT_MISMATCH' | 'RECEIPT_EXPIRED'
  | 'RECEIPT_STAGE_MISMATCH' | 'RECEIPT_PLATFORM_MISMATCH';

/** A refusal with the status the service answers it with, so a posting app can relay it unchanged. */
function refusal(code: Refusal, message: string, details: unknown): GatehouseError {
  return new GatehouseError(code, message, { status: HTTP_STATUS[code], details });
}
