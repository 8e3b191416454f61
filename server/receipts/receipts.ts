/**
 * Receipts: Ed25519 (EdDSA) JWS tokens that say "this content, under this
 * policy version and mode, got this decision, and its audit row is durable".
 *
 * Content hash (claim `content_sha256`, hex SHA-256 over UTF-8):
 *   - `content` a string → the string itself;
 *   - `content` an array (a thread) → `JSON.stringify(array)`.
 * Claim `content_kind` (`text` | `thread`) says which, so a string that
 * happens to look like a JSON array never matches a thread's receipt.
 */
import { createHash } from 'node:crypto';
import {
  SignJWT, calculateJwkThumbprint, decodeProtectedHeader, errors, exportJWK, generateKeyPair, importJWK, jwtVerify,
  type CryptoKey, type JWK, type JWTPayload,
} from 'jose';
import { AppError } from '../errors.js';
import type { Mode } from '../evaluations/modes.js';
import type { SigningKeyRecord, SigningKeyStore } from './signing-key-store.js';

export const ISSUER = 'gatehouse';
const ALG = 'EdDSA';
const TOKEN_TYPE = 'gatehouse-receipt+jwt';
/** Unknown `kid`s reload the key store at most this often (keys made by other instances). */
const RELOAD_INTERVAL_MS = 1_000;

export type ContentKind = 'text' | 'thread';

export interface ReceiptFacts {
  receipt_id: string;
  request_id: string;
  stage: string;
  mode: Mode;
  pack: string;
  policy_version: string;
  policy_hash: string;
  decision: 'PASS' | 'FAIL' | 'SKIPPED';
  allowed: boolean;
  content_sha256: string;
  content_kind: ContentKind;
}

export interface ReceiptClaims extends Omit<ReceiptFacts, 'receipt_id' | 'request_id'> {
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
  claims: ReceiptClaims;
}

export interface ReceiptService {
  sign(facts: ReceiptFacts): Promise<string>;
  verify(receipt: string | undefined, content: string | string[]): Promise<Verified>;
  /** Public keys of every key that may still have unexpired receipts. */
  jwks(): Promise<{ keys: JWK[] }>;
}

export function canonicalContent(content: string | string[]): { text: string; kind: ContentKind } {
  return typeof content === 'string' ? { text: content, kind: 'text' } : { text: JSON.stringify(content), kind: 'thread' };
}

export function contentSha256(content: string | string[]): string {
  return createHash('sha256').update(canonicalContent(content).text, 'utf8').digest('hex');
}

export function allowedToPost(claims: Pick<ReceiptClaims, 'decision' | 'mode'>): boolean {
  return claims.decision === 'PASS' || claims.mode === 'off' || claims.mode === 'advisory';
}

interface LoadedKey {
  record: SigningKeyRecord;
  publicKey: CryptoKey | Uint8Array;
}

export interface ReceiptServiceOptions {
  store: SigningKeyStore;
  ttlSeconds: number;
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
    for (const record of await store.all()) {
      if (!keys.has(record.kid)) keys.set(record.kid, { record, publicKey: await importJWK(record.public_jwk as JWK, ALG) });
      else keys.get(record.kid)!.record = record;
    }
  }

  await reload();
  if (![...keys.values()].some((k) => k.record.retired_at === null)) {
    await store.insert(await newSigningKey());
    await reload();
  }
  const active = newest([...keys.values()].filter((k) => k.record.retired_at === null));
  const signer = { kid: active.record.kid, privateKey: await importJWK(active.record.private_jwk as JWK, ALG) };

  async function keyFor(kid: string | undefined): Promise<CryptoKey | Uint8Array> {
    if (kid && !keys.has(kid) && Date.now() - lastReload > RELOAD_INTERVAL_MS) await reload();
    const key = kid ? keys.get(kid) : undefined;
    if (!key) throw new AppError('RECEIPT_INVALID', 'The receipt was signed by an unknown key.', { details: { kid: kid ?? null } });
    return key.publicKey;
  }

  return {
    async sign(facts) {
      const { receipt_id, request_id, ...rest } = facts;
      const iat = Math.floor(now().getTime() / 1000);
      return new SignJWT({ ...rest })
        .setProtectedHeader({ alg: ALG, kid: signer.kid, typ: TOKEN_TYPE })
        .setIssuer(ISSUER)
        .setJti(receipt_id)
        .setSubject(request_id)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .sign(signer.privateKey);
    },

    async verify(receipt, content) {
      if (receipt === undefined || receipt.trim() === '') {
        throw new AppError('ENFORCEMENT_RECEIPT_REQUIRED', 'A receipt is required to post this content.');
      }
      const claims = await verifyToken(receipt, keyFor, now);
      const expected = canonicalContent(content);
      if (claims.content_sha256 !== contentSha256(content) || claims.content_kind !== expected.kind) {
        throw new AppError('RECEIPT_CONTENT_MISMATCH', 'The receipt was issued for other content.', {
          details: { receipt_id: claims.jti },
        });
      }
      return { valid: true, allowed_to_post: allowedToPost(claims), claims };
    },

    async jwks() {
      await reload();
      const horizon = now().getTime() - ttlSeconds * 1000;
      const published = [...keys.values()].filter((k) => k.record.retired_at === null || k.record.retired_at.getTime() > horizon);
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
    const { payload } = await jwtVerify(token, key, {
      issuer: ISSUER,
      algorithms: [ALG],
      typ: TOKEN_TYPE,
      currentDate: now(),
      requiredClaims: ['jti', 'sub', 'iat', 'exp'],
    });
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

async function newSigningKey(): Promise<Omit<SigningKeyRecord, 'created_at' | 'retired_at'>> {
  const { publicKey, privateKey } = await generateKeyPair(ALG, { crv: 'Ed25519', extractable: true });
  const public_jwk = await exportJWK(publicKey);
  const private_jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(public_jwk);
  return { kid, alg: ALG, public_jwk: { ...public_jwk }, private_jwk: { ...private_jwk } };
}
