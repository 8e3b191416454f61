/**
 * Signing-key rotation and revocation. A rotation creates a new Ed25519 key and retires the
 * keys before it; a retired key signs nothing more but stays published in the JWKS (marked
 * `status: "retired"`, with the latest `iat` it can have signed), and keeps verifying the
 * receipts it signed until they have all expired:
 *
 *   published until = retired_at + receipt TTL + SIGNER_LEASE_MS
 *
 * A revocation (`gatehouse keys rotate --revoke`: the key leaked) also marks the old keys
 * revoked: nothing they signed verifies any more, the JWKS lists them under `revoked`, and the
 * command returns only once no server can still sign with them (the signer lease below).
 *
 * The signer lease: a server signs with a key only for SIGNER_LEASE_MS after the start of a
 * key-store read that found it active, and re-reads the store every SIGNER_REFRESH_MS in the
 * background. So a retirement or revocation written at T reaches every instance by
 * T + SIGNER_LEASE_MS, whatever their clocks (only durations on each host count), and a
 * database that is briefly unreachable does not stop signing.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { SigningKeyRecord, SigningKeyStore } from './signing-key-store.js';

const ALG = 'EdDSA';

/** How often a receipt service re-reads the key store for its signing key (in the background). */
export const SIGNER_REFRESH_MS = 1_000;
/** How long a read of the key store lets a server sign with the key it found active. */
export const SIGNER_LEASE_MS = 5_000;
/** `Cache-Control: max-age` of the JWKS, which the client's key cache honours. */
export const JWKS_MAX_AGE_SECONDS = 60;
/**
 * `stale-if-error` of the JWKS: how long a verifier that cannot reach the JWKS keeps its last
 * keys before it fails closed. Revocations cannot reach it meanwhile (docs/security.md).
 */
export const JWKS_STALE_IF_ERROR_SECONDS = 600;

export async function newSigningKey(): Promise<Omit<SigningKeyRecord, 'created_at' | 'retired_at' | 'revoked_at'>> {
  const { publicKey, privateKey } = await generateKeyPair(ALG, { crv: 'Ed25519', extractable: true });
  const public_jwk = await exportJWK(publicKey);
  const private_jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(public_jwk);
  return { kid, alg: ALG, public_jwk: { ...public_jwk }, private_jwk: { ...private_jwk } };
}

type KeyDates = Pick<SigningKeyRecord, 'retired_at'> & { revoked_at?: Date | null };

/** When a key leaves the JWKS and stops verifying; undefined while it is active. */
export function publishedUntil(record: KeyDates, ttlSeconds: number): Date | undefined {
  if (record.revoked_at) return record.revoked_at;
  return record.retired_at ? new Date(record.retired_at.getTime() + ttlSeconds * 1000 + SIGNER_LEASE_MS) : undefined;
}

/** The keys still published at `now`: active ones and retired ones inside their window; never a revoked one. */
export function isPublished(record: KeyDates, ttlSeconds: number, now: Date): boolean {
  const until = publishedUntil(record, ttlSeconds);
  return until === undefined || now.getTime() < until.getTime();
}

/** The latest instant a retired key can have signed at: its retirement plus the lease of a server that had not seen it yet. */
export function signedNoLaterThan(record: Pick<SigningKeyRecord, 'retired_at'>): Date | undefined {
  return record.retired_at ? new Date(record.retired_at.getTime() + SIGNER_LEASE_MS) : undefined;
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
   * The old keys are compromised, not just old: revoke them, so that their receipts (and
   * anything forged with them) are refused from now on and the JWKS lists them as revoked.
   */
  revoke?: boolean;
}

/**
 * Creates a new key and retires every older active key (with `revoke`: revokes every other key
 * still published). Two instances rotating at once converge: each retires only keys older than
 * its own, so the newest key survives and the other new one is retired by its successor.
 * After a revocation, call `untilRevocationApplies` before telling anyone it is done.
 */
export async function rotateSigningKey(store: SigningKeyStore, options: RotateOptions): Promise<Rotation> {
  const key = await newSigningKey();
  await store.insert(key);
  const records = await store.all();
  const mine = records.find((r) => r.kid === key.kid);
  if (!mine) throw new Error('the new signing key was not stored');
  const retiredAt = options.now;
  const retired: string[] = [];
  for (const record of records) {
    if (record.kid === mine.kid) continue;
    const due = options.revoke
      ? isPublished(record, options.ttlSeconds, options.now)
      : record.retired_at === null && record.created_at.getTime() <= mine.created_at.getTime();
    if (!due) continue;
    if (options.revoke) await store.revoke(record.kid, retiredAt);
    else await store.retire(record.kid, retiredAt);
    retired.push(record.kid);
  }
  return { kid: mine.kid, retired, retiredAt };
}

/**
 * Resolves once every server has stopped signing with keys revoked now: a server that read
 * the store just before the revocation may sign for one lease more, and never after it.
 * The extra second covers the rounding of `iat` to whole seconds.
 */
export function untilRevocationApplies(sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))): Promise<void> {
  return sleep(SIGNER_LEASE_MS + 1_000);
}
