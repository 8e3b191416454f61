/**
 * Receipts: Ed25519 (EdDSA) JWS tokens that say "this content, under this
 * policy version and mode, got this decision, and its audit row is durable".
 *
 * Content hash and kind (claims `content_sha256`, `content_kind`): see
 * content-hash.ts, shared with the client's offline verification.
 */
import {
  decodeProtectedHeader, errors, importJWK, jwtVerify,
  type CryptoKey, type JWK, type JWTPayload,
} from 'jose';
import { AppError } from '../errors.js';
import { canonicalContent, contentSha256, type ContentKind } from '../../contract/content-hash.js';
import { allowedToPost, bindingMismatch, type ReceiptExpectation } from '../../contract/posting-rule.js';
import { ALG, ISSUER, receiptVerifyOptions } from '../../contract/receipt-format.js';
import type { DecisionStatus } from '../../contract/decision-status.js';
import type { Mode } from '../../contract/modes.js';
import type { SigningKeyRecord, SigningKeyStore } from './signing-key-store.js';
import { SIGNER_REFRESH_MS, isPublished, newSigningKey, rotateSigningKey } from './key-rotation.js';
import { signCompact, signerFor, type Signer } from './receipt-signer.js';

/** Unknown `kid`s reload the key store at most this often (keys made by other instances). */
const RELOAD_INTERVAL_MS = 1_000;


export interface ReceiptFacts {
  receipt_id: string;
  request_id: string;
  stage: string;
  /** The platform whose rules applied: the request's, else the pack default (null: unknown, matches no expected platform). */
  platform: string | null;
  mode: Mode;
  pack: string;
  policy_version: string;
  policy_hash: string;
  decision: DecisionStatus;
  allowed: boolean;
  content_sha256: string;
  content_kind: ContentKind;
  /**
   * Override receipts only (issue 7): a person allowed this enforced FAIL. The decision,
   * mode and `allowed` stay those of the blocked decision; `override: true` is what lets it post.
   */
  override?: true;
  override_id?: string;
  actor?: string;
  reason?: string;
  /** receipt_id (jti) of the blocked decision's own receipt. */
  overridden_receipt_id?: string | null;
}

export interface ReceiptClaims extends Omit<ReceiptFacts, 'receipt_id' | 'request_id' | 'platform'> {
  /** Absent on receipts signed before receipts carried a platform. */
  platform?: string | null;
  iss: string;
  jti: string;
  sub: string;
  iat: number;
  exp: number;
}

export interface Verified {
  valid: true;
  /** DESIGN: a posting service accepts a PASS, or any decision under off/advisory; it refuses an enforced FAIL. */
  allowed_to_post: boolean;
  /** True for an override receipt. */
  override: boolean;
  claims: ReceiptClaims;
}

export interface ReceiptService {
  sign(facts: ReceiptFacts): Promise<string>;
  /** With `expected`, a receipt for another stage or platform is refused (RECEIPT_STAGE_MISMATCH / RECEIPT_PLATFORM_MISMATCH). */
  verify(receipt: string | undefined, content: string | string[], expected?: ReceiptExpectation): Promise<Verified>;
  /** Public keys of every key that may still have unexpired receipts. */
  jwks(): Promise<{ keys: JWK[] }>;
}

interface LoadedKey {
  record: SigningKeyRecord;
  publicKey: CryptoKey | Uint8Array;
}

export interface ReceiptServiceOptions {
  store: SigningKeyStore;
  ttlSeconds: number;
  /** Rotate the signing key once it is this old; 0 or absent → only `gatehouse keys rotate`. */
  rotateAfterDays?: number;
  now?: () => Date;
}

/** Loads the signing keys, creating the first one when the store is empty. */
export async function createReceiptService(options: ReceiptServiceOptions): Promise<ReceiptService> {
  const { store, ttlSeconds } = options;
  const now = options.now ?? (() => new Date());
  const keys = new Map<string, LoadedKey>();
  let lastReload = 0;

  async function reload(): Promise<void> {
    lastReload = Date.now();
    const records = await store.all();
    // A key gone from the store (a restored backup, a manual delete) must stop signing and verifying here too.
    const present = new Set(records.map((r) => r.kid));
    for (const kid of keys.keys()) if (!present.has(kid)) keys.delete(kid);
    for (const record of records) {
      if (!keys.has(record.kid)) keys.set(record.kid, { record, publicKey: await importJWK(record.public_jwk as JWK, ALG) });
      else keys.get(record.kid)!.record = record;
    }
  }

  const rotateAfterMs = (options.rotateAfterDays ?? 0) * 86_400_000;
  let signer: Signer | undefined;
  let signerCheckedAt = 0;
  let refreshing: Promise<void> | undefined;

  /**
   * Picks the newest active key as the signer, rotating first when it is due and creating
   * one when none is active. Re-run at most every SIGNER_REFRESH_MS, so that a rotation by
   * another instance or by `gatehouse keys rotate` is picked up without a restart.
   */
  async function refreshSigner(): Promise<void> {
    signerCheckedAt = now().getTime();
    await reload();
    let active = [...keys.values()].filter((k) => k.record.retired_at === null);
    const due = rotateAfterMs > 0 && active.length > 0 && now().getTime() - newest(active).record.created_at.getTime() >= rotateAfterMs;
    if (due) await rotateSigningKey(store, { now: now(), ttlSeconds });
    else if (active.length === 0) await store.insert(await newSigningKey());
    if (due || active.length === 0) {
      await reload();
      active = [...keys.values()].filter((k) => k.record.retired_at === null);
    }
    const chosen = newest(active);
    if (chosen.record.kid !== signer?.kid) signer = signerFor(chosen.record);
  }

  async function currentSigner(): Promise<Signer> {
    if (now().getTime() - signerCheckedAt >= SIGNER_REFRESH_MS) {
      // A store that fails or hangs must not fail the receipt of a committed decision: keep signing with the current key.
      refreshing ??= refreshSigner().finally(() => (refreshing = undefined));
      await Promise.race([refreshing.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    }
    return signer!;
  }

  await refreshSigner();

  async function keyFor(kid: string | undefined): Promise<CryptoKey | Uint8Array> {
    // With the store down, an unknown kid stays unknown (refused), never a 500.
    if (kid && !keys.has(kid) && Date.now() - lastReload > RELOAD_INTERVAL_MS) await reload().catch(() => undefined);
    const key = kid ? keys.get(kid) : undefined;
    if (!key) throw new AppError('RECEIPT_INVALID', 'The receipt was signed by an unknown key.', { details: { kid: kid ?? null } });
    return key.publicKey;
  }

  /**
   * A retired key verifies only what it can have signed: receipts issued before its
   * retirement (plus the refresh grace), and only while it is still published. Anything
   * else, e.g. a receipt forged with a leaked key after `keys rotate --revoke`, is refused.
   */
  function refuseAfterRetirement(token: string, claims: ReceiptClaims): void {
    const record = keys.get(decodeProtectedHeader(token).kid ?? '')?.record;
    if (!record?.retired_at) return;
    const signedAfter = claims.iat * 1000 > record.retired_at.getTime() + SIGNER_REFRESH_MS;
    if (signedAfter || !isPublished(record, ttlSeconds, now())) {
      throw new AppError('RECEIPT_INVALID', 'The receipt was signed by a retired signing key.', {
        details: { kid: record.kid, retired_at: record.retired_at.toISOString() },
      });
    }
  }

  return {
    async sign(facts) {
      const { receipt_id, request_id, ...rest } = facts;
      const signer = await currentSigner();
      const iat = Math.floor(now().getTime() / 1000);
      return signCompact(signer, { ...rest, iss: ISSUER, jti: receipt_id, sub: request_id, iat, exp: iat + ttlSeconds });
    },

    async verify(receipt, content, binding) {
      if (receipt === undefined || receipt.trim() === '') {
        throw new AppError('ENFORCEMENT_RECEIPT_REQUIRED', 'A receipt is required to post this content.');
      }
      await currentSigner(); // re-reads the key store when due, so a retirement or revocation made elsewhere applies here too
      const claims = await verifyToken(receipt, keyFor, now);
      refuseAfterRetirement(receipt, claims);
      const expected = canonicalContent(content);
      if (claims.content_sha256 !== contentSha256(content) || claims.content_kind !== expected.kind) {
        throw new AppError('RECEIPT_CONTENT_MISMATCH', 'The receipt was issued for other content.', {
          details: { receipt_id: claims.jti },
        });
      }
      const mismatch = bindingMismatch(claims, binding);
      if (mismatch) throw new AppError(mismatch.code, mismatch.message, { details: { ...mismatch.details, receipt_id: claims.jti } });
      return { valid: true, allowed_to_post: allowedToPost(claims), override: claims.override === true, claims };
    },

    async jwks() {
      // Offline verifiers need the JWKS most when the database is down: serve the keys known here.
      await reload().catch(() => undefined);
      const published = [...keys.values()].filter((k) => isPublished(k.record, ttlSeconds, now()));
      return { keys: published.map((k) => ({ ...k.record.public_jwk, kid: k.record.kid, alg: ALG, use: 'sig' })) };
    },
  };
}

async function verifyToken(
  token: string,
  keyFor: (kid: string | undefined) => Promise<CryptoKey | Uint8Array>,
  now: () => Date,
): Promise<ReceiptClaims> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw new AppError('RECEIPT_INVALID', 'The receipt is not a signed token.');
  }
  const key = await keyFor(kid);
  try {
    const { payload } = await jwtVerify(token, key, receiptVerifyOptions(now()));
    return payload as JWTPayload & ReceiptClaims;
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      throw new AppError('RECEIPT_EXPIRED', 'The receipt has expired.', {
        details: { expired_at: new Date(Number(error.payload.exp) * 1000).toISOString() },
      });
    }
    if (error instanceof errors.JOSEError) {
      throw new AppError('RECEIPT_INVALID', 'The receipt signature or claims are not valid.', { details: { reason: error.code } });
    }
    throw error;
  }
}

function newest(keys: LoadedKey[]): LoadedKey {
  return keys.reduce((a, b) => (b.record.created_at > a.record.created_at ? b : a));
}
