import { describe, expect, it } from 'vitest';
import { bootstrapKeys, hashKey } from '../../../server/auth/api-keys.js';
import { fakeKeyStore } from '../fakes.js';

const ADMIN = 'admin-key-0123456789abcdef';
const EVALUATOR = 'evaluator-key-0123456789abcdef';

describe('API keys', () => {
  it('generates one admin key when none is configured, storing only its hash', async () => {
    const store = fakeKeyStore();
    const first = await bootstrapKeys(store, []);
    expect(first.generatedAdminKey).toMatch(/^gh_[A-Za-z0-9_-]{43}$/);
    expect(store.records).toHaveLength(1);
    expect(store.records[0]).toMatchObject({ role: 'admin', key_hash: hashKey(first.generatedAdminKey!) });
    expect(JSON.stringify(store.records)).not.toContain(first.generatedAdminKey);
    expect(first.authenticator.authenticate(first.generatedAdminKey!)?.role).toBe('admin');

    const second = await bootstrapKeys(store, []);
    expect(second.generatedAdminKey).toBeUndefined();
    expect(store.records).toHaveLength(1);
    expect(second.authenticator.authenticate(first.generatedAdminKey!)?.role).toBe('admin');
  });

  it('stores configured keys hashed, once, and authenticates them by role', async () => {
    const store = fakeKeyStore();
    const configured = [{ role: 'admin' as const, key: ADMIN }, { role: 'evaluator' as const, key: EVALUATOR }];
    const { authenticator, generatedAdminKey } = await bootstrapKeys(store, configured);
    await bootstrapKeys(store, configured);
    expect(generatedAdminKey).toBeUndefined();
    expect(store.records.map((r) => r.key_hash).sort()).toEqual([hashKey(ADMIN), hashKey(EVALUATOR)].sort());
    expect(JSON.stringify(store.records)).not.toContain(ADMIN);
    expect(authenticator.authenticate(ADMIN)).toMatchObject({ role: 'admin', label: `env-admin-${hashKey(ADMIN).slice(0, 8)}` });
    expect(authenticator.authenticate(EVALUATOR)?.role).toBe('evaluator');
    expect(authenticator.authenticate(`${EVALUATOR}x`)).toBeUndefined();
    expect(authenticator.authenticate('')).toBeUndefined();
  });

  it('drops env keys that are no longer configured (rotation), and the generated key while keys are configured (issue 13)', async () => {
    const store = fakeKeyStore();
    const generated = (await bootstrapKeys(store, [])).generatedAdminKey!;
    await bootstrapKeys(store, [{ role: 'admin', key: ADMIN }]);
    const { authenticator, generatedAdminKey } = await bootstrapKeys(store, [{ role: 'evaluator', key: EVALUATOR }]);
    expect(generatedAdminKey).toBeUndefined();
    expect(authenticator.authenticate(ADMIN)).toBeUndefined();
    expect(authenticator.authenticate(EVALUATOR)?.role).toBe('evaluator');
    expect(authenticator.authenticate(generated)).toBeUndefined();
  });

  it('never accepts a revoked key, nor generates a new one when only revoked keys are left; reload() applies a revocation', async () => {
    const store = fakeKeyStore();
    const { authenticator, generatedAdminKey } = await bootstrapKeys(store, []);
    expect(authenticator.authenticate(generatedAdminKey!)?.role).toBe('admin');
    await store.revoke(store.records[0]!.label);
    expect(authenticator.authenticate(generatedAdminKey!)?.role).toBe('admin');
    await authenticator.reload();
    expect(authenticator.authenticate(generatedAdminKey!)).toBeUndefined();
    const again = await bootstrapKeys(store, []);
    expect(again.generatedAdminKey).toBeUndefined();
    expect(again.authenticator.authenticate(generatedAdminKey!)).toBeUndefined();
  });
});
