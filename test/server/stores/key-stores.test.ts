import { beforeEach, describe, expect, it } from 'vitest';
import { createKeyStore, type KeyStore } from '../../../server/auth/key-store.js';
import { createSigningKeyStore, type SigningKeyStore } from '../../../server/receipts/signing-key-store.js';
import { databaseKinds, emptyTables, useDatabase } from '../../helpers/databases.js';

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

const ed25519 = (n: number) => ({
  public_jwk: { kty: 'OKP', crv: 'Ed25519', x: `public-x-${n}`, kid: `k${n}`, use: 'sig' },
  private_jwk: { kty: 'OKP', crv: 'Ed25519', x: `public-x-${n}`, d: `private-d-${n}`, kid: `k${n}` },
});

// One database per kind for the whole file: PGlite costs ~5 s and ~500 MB per instance.
describe.each(databaseKinds)('key stores on %s', (kind) => {
  const database = useDatabase(kind);

  beforeEach(async () => {
    await emptyTables(database().db);
  });

  describe('KeyStore', () => {
    let keys: KeyStore;

    beforeEach(() => {
      keys = createKeyStore(database().db.knex);
    });

    it('counts keys as a number on both drivers', async () => {
      expect(await keys.count()).toBe(0);
      await keys.insert({ role: 'admin', key_hash: 'sha256:h1', label: 'bootstrap admin' });
      await keys.insert({ role: 'evaluator', key_hash: 'sha256:h2', label: 'writer service' });
      expect(await keys.count()).toBe(2);
    });

    it('inserts a hashed key and returns its record with a generated id', async () => {
      const record = await keys.insert({ role: 'evaluator', key_hash: 'sha256:h3', label: 'critic service' });
      expect(record).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), role: 'evaluator', key_hash: 'sha256:h3', label: 'critic service', created_at: expect.any(Date), revoked_at: null });
      expect(await keys.all()).toEqual([record]);
    });

    it('revokes a key by id or by label, once: a second revoke keeps the first time; an unknown key is undefined', async () => {
      const a = await keys.insert({ role: 'admin', key_hash: 'sha256:ra', label: 'ra' });
      await keys.insert({ role: 'admin', key_hash: 'sha256:rb', label: 'rb' });
      const first = new Date('2026-12-01T00:00:00.000Z');
      expect((await keys.revoke(a.id, first))?.revoked_at).toEqual(first);
      expect((await keys.revoke('ra', new Date('2026-12-02T00:00:00.000Z')))?.revoked_at).toEqual(first);
      expect((await keys.revoke('rb', first))?.label).toBe('rb');
      expect(await keys.revoke('nobody')).toBeUndefined();
      expect((await keys.all()).map((k) => k.revoked_at)).toEqual([first, first]);
    });

    it('lists every key oldest first', async () => {
      const a = await keys.insert({ role: 'admin', key_hash: 'sha256:a', label: 'a' });
      await tick();
      const b = await keys.insert({ role: 'evaluator', key_hash: 'sha256:b', label: 'b' });
      expect(await keys.all()).toEqual([a, b]);
    });

    it('refuses a second key with the same hash', async () => {
      await keys.insert({ role: 'admin', key_hash: 'sha256:same', label: 'one' });
      await expect(keys.insert({ role: 'evaluator', key_hash: 'sha256:same', label: 'two' })).rejects.toThrow(/unique|duplicate/i);
      expect(await keys.count()).toBe(1);
    });
  });

  describe('SigningKeyStore', () => {
    let signingKeys: SigningKeyStore;

    beforeEach(() => {
      signingKeys = createSigningKeyStore(database().db.knex);
    });

    it('stores keys with their JWKs and lists them oldest first, unretired', async () => {
      await signingKeys.insert({ kid: 'k1', alg: 'EdDSA', ...ed25519(1) });
      await tick();
      await signingKeys.insert({ kid: 'k2', alg: 'EdDSA', ...ed25519(2) });
      expect(await signingKeys.all()).toEqual([
        { kid: 'k1', alg: 'EdDSA', ...ed25519(1), created_at: expect.any(Date), retired_at: null, revoked_at: null },
        { kid: 'k2', alg: 'EdDSA', ...ed25519(2), created_at: expect.any(Date), retired_at: null, revoked_at: null },
      ]);
    });

    it('retires a key at the given time and keeps it for verification', async () => {
      await signingKeys.insert({ kid: 'k1', alg: 'EdDSA', ...ed25519(1) });
      await signingKeys.insert({ kid: 'k2', alg: 'EdDSA', ...ed25519(2) });
      const at = new Date('2026-02-03T04:05:06.789Z');
      await signingKeys.retire('k1', at);
      const all = await signingKeys.all();
      expect(all.map((k) => [k.kid, k.retired_at])).toEqual([['k1', at], ['k2', null]]);
    });

    it('revokes a key: revoked and retired at that time, unless it was retired before', async () => {
      await signingKeys.insert({ kid: 'k1', alg: 'EdDSA', ...ed25519(1) });
      await signingKeys.insert({ kid: 'k2', alg: 'EdDSA', ...ed25519(2) });
      const retired = new Date('2026-02-03T04:05:06.789Z');
      const revoked = new Date('2026-02-04T00:00:00.000Z');
      await signingKeys.retire('k1', retired);
      await signingKeys.revoke('k1', revoked);
      await signingKeys.revoke('k2', revoked);
      const all = await signingKeys.all();
      expect(all.map((k) => [k.kid, k.retired_at, k.revoked_at])).toEqual([['k1', retired, revoked], ['k2', revoked, revoked]]);
    });

    it('refuses to retire or revoke an unknown kid', async () => {
      await expect(signingKeys.retire('ghost', new Date())).rejects.toThrow('no signing key with kid ghost');
      await expect(signingKeys.revoke('ghost', new Date())).rejects.toThrow('no signing key with kid ghost');
    });

    it('refuses an algorithm other than EdDSA', async () => {
      await expect(signingKeys.insert({ kid: 'k9', alg: 'RS256' as 'EdDSA', ...ed25519(9) })).rejects.toThrow();
      expect(await signingKeys.all()).toEqual([]);
    });
  });
});
