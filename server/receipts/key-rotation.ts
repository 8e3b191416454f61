/**
 * Signing-key rotation. A rotation creates a new Ed25519 key and retires the keys before
 * it; a retired key signs nothing more but stays published in the JWKS, and keeps
 * verifying, until every receipt it signed has expired:
 *
 *   published until = retired_at + receipt TTL + SIGNER_REFRESH_MS
 *
 * The grace term covers other instances: each one re-reads the key store at most every
 * SIGNER_REFRESH_MS, so it may still sign with a key retired elsewhere for that long.
 * Rotation happens on a schedule (GATEHOUSE_RECEIPT_KEY_ROTATE_DAYS, checked by the
 * receipt service) or on demand (`gatehouse keys rotate [--revoke]`).
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { SigningKeyRecord, SigningKeyStore } from './signing-key-store.js';

const ALG = 'EdDSA';

/** How often a receipt service re-reads the key store for its signing key. */
export const SIGNER_REFRESH_MS = 60_000;

export async function newSigningKey(): Promise<Omit<SigningKeyRecord, 'created_at' | 'retired_at'>> {
  const { publicKey, privateKey } = await generateKeyPair(ALG, { crv: 'Ed25519', extractable: true });
  const public_jwk = await exportJWK(publicKey);
  const private_jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(public_jwk);
  return { kid, alg: ALG, public_jwk: { ...public_jwk }, private_jwk: { ...private_jwk } };
}

/** When a key leaves the JWKS and stops verifying; undefined while it is active. */
export function publishedUntil(record: Pick<SigningKeyRecord, 'retired_at'>, ttlSeconds: number): Date | undefined {
  return record.retired_at ? new Date(record.retired_at.getTime() + ttlSeconds * 1000 + SIGNER_REFRESH_MS) : undefined;
}

/** The keys still published at `now`: active ones and retired ones inside their window. */
export function isPublished(record: Pick<SigningKeyRecord, 'retired_at'>, ttlSeconds: number, now: Date): boolean {
  const until = publishedUntil(record, ttlSeconds);
  return until === undefined || now.getTime() < until.getTime();
}

export interface Rotation {
  /** The new signing key. */
  kid: string;
  /** Keys retired (or revoked) by this rotation. */
  retired: string[];
  retiredAt: Date;
}

export interface RotateOptions {
  now: Date;
  ttlSeconds: number;
  /**
   * The old keys are compromised, not just old: close their window at once, so that their
   * receipts (and anything forged with them) are refused from now on and the JWKS drops them.
   */
  revoke?: boolean;
}

/**
 * Creates a new key and retires every older active key (with `revoke`: every other key still
 * published). Two instances rotating at once converge: each retires only keys older than its
 * own, so the newest key survives and the other new one is retired by its successor.
 */
export async function rotateSigningKey(store: SigningKeyStore, options: RotateOptions): Promise<Rotation> {
  const key = await newSigningKey();
  await store.insert(key);
  const records = await store.all();
  const mine = records.find((r) => r.kid === key.kid);
  if (!mine) throw new Error('the new signing key was not stored');
  const retiredAt = options.revoke
    ? new Date(options.now.getTime() - options.ttlSeconds * 1000 - SIGNER_REFRESH_MS - 1_000)
    : options.now;
  const retired: string[] = [];
  for (const record of records) {
    if (record.kid === mine.kid) continue;
    const due = options.revoke
      ? isPublished(record, options.ttlSeconds, options.now)
      : record.retired_at === null && record.created_at.getTime() <= mine.created_at.getTime();
    if (!due) continue;
    await store.retire(record.kid, retiredAt);
    retired.push(record.kid);
  }
  return { kid: mine.kid, retired, retiredAt };
}
