/**
 * API keys: only SHA-256 hashes are kept (in the key store and in memory);
 * a presented key is hashed and compared in constant time with every known
 * hash, so timing reveals neither which key nor how much of it matched.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ConfiguredKey } from '../config.js';
import type { ApiKeyRecord, KeyStore, Role } from './key-store.js';

export interface Caller {
  /** Key id in the store (the rate-limit key). */
  id: string;
  role: Role;
  /** Readable, non-secret name of the key (`env-admin-3f2a9c1d`), recorded as the audit `caller`. */
  label: string;
}

export interface Authenticator {
  /** The caller owning `key`, or undefined. Constant time in the key's content. */
  authenticate(key: string): Caller | undefined;
}

export const ENV_LABEL_PREFIX = 'env-';

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateKey(): string {
  return `gh_${randomBytes(32).toString('base64url')}`;
}

export interface KeyBootstrap {
  authenticator: ReloadingAuthenticator;
  /** Set only when this start generated the first admin key: print it once, never store it. */
  generatedAdminKey?: string;
}

export interface ReloadingAuthenticator extends Authenticator {
  /** Re-reads the key store, so that a key created or revoked by `gatehouse api-keys` applies without a restart. */
  reload(): Promise<void>;
}

export const GENERATED_LABEL_PREFIX = 'generated-admin-';

/** How often a running server re-reads its API keys: the longest a revoked key is still accepted. */
export const KEY_RELOAD_MS = 5_000;

/**
 * Loads the keys at start:
 * - keys from GATEHOUSE_API_KEYS are added to the store (hashed) when missing;
 * - while GATEHOUSE_API_KEYS is set, env-labelled keys no longer listed there are ignored (rotation),
 *   and so is the generated first-start key: it only ever stood in for configured keys;
 * - with no keys configured and an empty store (revoked keys count: they were keys), one admin key
 *   is generated; only its hash is stored, and like any stored key it can be revoked;
 * - revoked keys are never accepted.
 */
export async function bootstrapKeys(store: KeyStore, configured: ConfiguredKey[]): Promise<KeyBootstrap> {
  let generatedAdminKey: string | undefined;
  const known = new Set((await store.all()).map((k) => k.key_hash));
  for (const { role, key } of configured) {
    const key_hash = hashKey(key);
    if (known.has(key_hash)) continue;
    await store.insert({ role, key_hash, label: `${ENV_LABEL_PREFIX}${role}-${key_hash.slice(0, 8)}` });
    known.add(key_hash);
  }
  if (configured.length === 0 && (await store.count()) === 0) {
    generatedAdminKey = generateKey();
    const key_hash = hashKey(generatedAdminKey);
    await store.insert({ role: 'admin', key_hash, label: `${GENERATED_LABEL_PREFIX}${key_hash.slice(0, 8)}` });
  }
  const configuredHashes = new Set(configured.map((k) => hashKey(k.key)));
  const accepted = (r: ApiKeyRecord) =>
    !r.revoked_at &&
    (configured.length === 0 ||
      (r.label.startsWith(ENV_LABEL_PREFIX) ? configuredHashes.has(r.key_hash) : !r.label.startsWith(GENERATED_LABEL_PREFIX)));
  let current = createAuthenticator((await store.all()).filter(accepted));
  return {
    authenticator: {
      authenticate: (key) => current.authenticate(key),
      async reload() {
        current = createAuthenticator((await store.all()).filter(accepted));
      },
    },
    generatedAdminKey,
  };
}

export function createAuthenticator(records: ApiKeyRecord[]): Authenticator {
  const entries = records.map((r) => ({
    digest: Buffer.from(r.key_hash, 'hex'),
    caller: { id: r.id, role: r.role, label: r.label } satisfies Caller,
  }));
  return {
    authenticate(key) {
      const digest = createHash('sha256').update(key, 'utf8').digest();
      let found: Caller | undefined;
      // No early exit: every stored hash is compared, whichever matches.
      for (const entry of entries) {
        if (entry.digest.length === digest.length && timingSafeEqual(entry.digest, digest)) found = entry.caller;
      }
      return found;
    },
  };
}
