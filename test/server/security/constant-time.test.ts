/**
 * API keys are compared in constant time: the presented key is hashed (SHA-256, so every
 * comparison is over 32 bytes whatever its length) and compared with crypto.timingSafeEqual
 * against EVERY stored hash, with no early exit. This spies on timingSafeEqual, so the test
 * fails if the comparison switches to `===`, Buffer.equals, or stops at the first match.
 */
import * as crypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const { createAuthenticator, hashKey } = await import('../../../server/auth/api-keys.js');

const KEYS = ['first-admin-key-0123456789', 'second-evaluator-key-0123456789', 'third-evaluator-key-0123456789'];
const records = KEYS.map((key, i) => ({
  id: `key-${i}`,
  role: (i === 0 ? 'admin' : 'evaluator') as 'admin' | 'evaluator',
  key_hash: hashKey(key),
  label: `k${i}`,
  created_at: new Date(),
}));
const spy = vi.mocked(crypto.timingSafeEqual);

describe('API key comparison', () => {
  // A block body: a function returned from beforeEach is run as a teardown, and mockClear returns the spy.
  beforeEach(() => {
    spy.mockClear();
  });

  it.each([
    ['the first stored key (no early exit after a match)', KEYS[0]!, 'key-0'],
    ['the last stored key', KEYS[2]!, 'key-2'],
    ['a wrong key of the same length', `${KEYS[1]!.slice(0, -1)}X`, undefined],
    ['a one-character key', 'x', undefined],
    ['a 512-character key', 'k'.repeat(512), undefined],
    ['an empty key', '', undefined],
  ])('%s: timingSafeEqual over 32-byte digests, once per stored key', (_name, presented, id) => {
    const authenticator = createAuthenticator(records);
    expect(authenticator.authenticate(presented)?.id).toBe(id);
    expect(spy).toHaveBeenCalledTimes(records.length);
    for (const [a, b] of spy.mock.calls) {
      expect((a as Buffer).length).toBe(32);
      expect((b as Buffer).length).toBe(32);
    }
  });

  it('the stored digests are SHA-256 hashes, never the keys', () => {
    for (const [i, record] of records.entries()) {
      expect(record.key_hash).toBe(crypto.createHash('sha256').update(KEYS[i]!).digest('hex'));
      expect(record.key_hash).not.toContain(KEYS[i]!);
    }
  });
});
