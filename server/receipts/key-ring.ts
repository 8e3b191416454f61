/**
 * The signing keys as one receipt service sees them: loaded from the key store, the signer
 * chosen under its lease (key-rotation.ts), scheduled rotation, and the JWKS with each key's
 * status. A store that fails keeps what is loaded: verification and the JWKS go on, and
 * signing goes on for the rest of the lease, then fails rather than risk a revoked key.
 */
import { performance } from 'node:perf_hooks';
import { importJWK, type CryptoKey, type JWK } from 'jose';
import { ALG, type KeyStatusMembers, type RevokedKey } from '../../contract/receipt-format.js';
import { AppError } from '../errors.js';
import {
  SIGNER_LEASE_MS, SIGNER_REFRESH_MS, isPublished, newSigningKey, rotateSigningKey, signedNoLaterThan,
} from './key-rotation.js';
import { signerFor, type Signer } from './receipt-signer.js';
import type { SigningKeyRecord, SigningKeyStore } from './signing-key-store.js';

/** Unknown `kid`s reload the key store at most this often (keys made by other instances). */
const RELOAD_INTERVAL_MS = 1_000;

export interface LoadedKey {
  record: SigningKeyRecord;
  publicKey: CryptoKey | Uint8Array;
}

export interface Jwks {
  keys: (JWK & KeyStatusMembers)[];
  /** Keys revoked while receipts they signed may still be around: refuse anything they signed. */
  revoked: RevokedKey[];
}

export interface KeyRingOptions {
  store: SigningKeyStore;
  ttlSeconds: number;
  /** Rotate the signing key once it is this old; 0 or absent → only `gatehouse keys rotate`. */
  rotateAfterDays?: number;
  now?: () => Date;
}

export interface KeyRing {
  /** The signer, under its lease; NOT_READY when the lease ran out and the store cannot renew it. */
  currentSigner(): Promise<Signer>;
  /** Re-reads the store when SIGNER_REFRESH_MS has passed (waits at most a second). */
  refreshIfDue(): Promise<void>;
  /** The key a receipt names; RECEIPT_INVALID when unknown. */
  keyFor(kid: string | undefined): Promise<LoadedKey>;
  jwks(): Promise<Jwks>;
}

/** Loads the keys and picks the signer, creating the first key when the store is empty. */
export async function createKeyRing(options: KeyRingOptions): Promise<KeyRing> {
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
  /**
   * Milliseconds for the lease and the refresh interval: the injected clock when there is one
   * (tests move it), else the monotonic clock, so that a wall-clock jump cannot stretch a lease.
   */
  const ticks = options.now ? () => now().getTime() : () => performance.now();
  /** ticks() at the start of the last key-store read that confirmed `signer`: the lease runs from there. */
  let confirmedAt = Number.NEGATIVE_INFINITY;
  let checkedAt = Number.NEGATIVE_INFINITY;
  let refreshing: Promise<void> | undefined;

  /**
   * Picks the newest active key as the signer, rotating first when it is due and creating
   * one when none is active. Re-run at most every SIGNER_REFRESH_MS, so that a rotation by
   * another instance or by `gatehouse keys rotate` is picked up without a restart.
   */
  async function refreshSigner(): Promise<void> {
    const started = ticks();
    checkedAt = started;
    await reload();
    const activeKeys = () => [...keys.values()].filter((k) => k.record.retired_at === null && k.record.revoked_at === null);
    let active = activeKeys();
    const due = rotateAfterMs > 0 && active.length > 0 && now().getTime() - newest(active).record.created_at.getTime() >= rotateAfterMs;
    if (due) await rotateSigningKey(store, { now: now(), ttlSeconds });
    else if (active.length === 0) await store.insert(await newSigningKey());
    if (due || active.length === 0) {
      await reload();
      active = activeKeys();
    }
    const chosen = newest(active);
    if (chosen.record.kid !== signer?.kid) signer = signerFor(chosen.record);
    confirmedAt = started;
  }

  async function refreshIfDue(): Promise<void> {
    if (ticks() - checkedAt < SIGNER_REFRESH_MS) return;
    await refreshNow();
  }

  async function refreshNow(): Promise<void> {
    // A store that hangs must not hold answers for long: wait at most a second.
    refreshing ??= refreshSigner().finally(() => (refreshing = undefined));
    await Promise.race([refreshing.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  }

  const leased = () => signer !== undefined && ticks() - confirmedAt < SIGNER_LEASE_MS;

  await refreshSigner();

  return {
    refreshIfDue,

    /**
     * With batches this runs once per batch, so the store is read about once per
     * SIGNER_REFRESH_MS under load. A store that fails or hangs does not stop signing at once
     * (the decision is committed; its receipt should follow), but only for the rest of the
     * lease: past it, signing fails rather than use a key that may have been revoked meanwhile.
     */
    async currentSigner() {
      await refreshIfDue();
      // Past the lease, try the store again at once rather than after the refresh interval: a
      // receipt is asked for right after an audit commit, so the database has just answered
      // (after an outage, the last failed read may be less than SIGNER_REFRESH_MS old).
      if (!leased()) await refreshNow();
      if (leased()) return signer!;
      throw new AppError('NOT_READY', 'The receipt signing key could not be confirmed in the key store, so no receipt was signed.', {
        suggestedFix: 'Check the database connection and retry; the decision is in the audit log.',
      });
    },

    async keyFor(kid) {
      // With the store down, an unknown kid stays unknown (refused), never a 500.
      if (kid && !keys.has(kid) && Date.now() - lastReload > RELOAD_INTERVAL_MS) await reload().catch(() => undefined);
      const key = kid ? keys.get(kid) : undefined;
      if (!key) throw new AppError('RECEIPT_INVALID', 'The receipt was signed by an unknown key.', { details: { kid: kid ?? null } });
      return key;
    },

    async jwks() {
      // Offline verifiers need the JWKS most when the database is down: serve the keys known here.
      await reload().catch(() => undefined);
      const at = now();
      const records = [...keys.values()].map((k) => k.record);
      return {
        keys: records
          .filter((r) => isPublished(r, ttlSeconds, at))
          .map((r) => ({ ...r.public_jwk, kid: r.kid, alg: ALG, use: 'sig', ...keyStatus(r) })),
        // Listed while receipts they signed may still be unexpired; after that they verify nothing anyway.
        revoked: records
          .filter((r) => r.revoked_at && at.getTime() < r.revoked_at.getTime() + ttlSeconds * 1000 + SIGNER_LEASE_MS)
          .map((r) => ({ kid: r.kid, revoked_at: numericDate(r.revoked_at!) })),
      };
    },
  };
}

/** The JWKS members that say whether a key still signs and which receipts it verifies. */
export function keyStatus(record: SigningKeyRecord): KeyStatusMembers {
  if (!record.retired_at) return { status: 'active' };
  return { status: 'retired', retired_at: numericDate(record.retired_at), not_after: numericDate(signedNoLaterThan(record)!) };
}

export function numericDate(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function newest(keys: LoadedKey[]): LoadedKey {
  return keys.reduce((a, b) => (b.record.created_at > a.record.created_at ? b : a));
}
