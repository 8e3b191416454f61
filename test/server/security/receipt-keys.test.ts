/**
 * Receipt signing keys rotate: a new key becomes active, the JWKS keeps the old public key
 * until every receipt it signed has expired (retired_at + receipt TTL + the refresh grace),
 * the old receipts verify during that window and are refused after it; a revoked key is
 * refused at once. Plus the refusal matrix over HTTP: forged, tampered, replayed, expired,
 * unknown key, algorithm confusion.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT, decodeProtectedHeader, generateKeyPair, importJWK, type JWK } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createConfig } from '../../../server/config.js';
import { migrateCommand } from '../../../server/db/migrate-command.js';
import { AppError } from '../../../server/errors.js';
import type { Gatehouse } from '../../../server/compose.js';
import { SIGNER_LEASE_MS, SIGNER_REFRESH_MS, rotateSigningKey } from '../../../server/receipts/key-rotation.js';
import { keysCommand } from '../../../server/receipts/keys-command.js';
import { createReceiptService, type ReceiptFacts } from '../../../server/receipts/receipts.js';
import type { SigningKeyStore } from '../../../server/receipts/signing-key-store.js';
import { createJwksVerifier } from '../../../client/index.js';
import { useDatabase } from '../../helpers/databases.js';
import { EVALUATOR_KEY, auth, buildGatehouse, evaluate, expectError, pin } from '../api/harness.js';
import { fakeSigningKeyStore } from '../fakes.js';
import { receiptFactsFor } from '../receipt-facts.js';

const DAY = 86_400_000;
const content = 'launch day: the garden planner is live';
const facts = (over: Partial<ReceiptFacts> = {}): ReceiptFacts => receiptFactsFor(content, over);

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    return e.code;
  }
  return 'VALID';
}

const kidOf = (token: string) => decodeProtectedHeader(token).kid!;

/** A clock the test moves; starts at the real time because the fake store stamps created_at with it. */
function clock() {
  const c = { t: Date.now(), now: () => new Date(c.t), advance: (ms: number) => void (c.t += ms) };
  return c;
}

/** Signs claims with a stored private key, as someone holding a leaked key could. */
async function signWith(store: { records: { kid: string; private_jwk: Record<string, unknown> }[] }, kid: string, iat: number, exp: number): Promise<string> {
  const record = store.records.find((r) => r.kid === kid)!;
  const { receipt_id, request_id, ...rest } = facts();
  return new SignJWT({ ...rest })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'gatehouse-receipt+jwt' })
    .setIssuer('gatehouse')
    .setJti(receipt_id)
    .setSubject(request_id)
    .setIssuedAt(Math.floor(iat / 1000))
    .setExpirationTime(Math.floor(exp / 1000))
    .sign(await importJWK(record.private_jwk as JWK, 'EdDSA'));
}

describe('signing-key rotation (receipt service)', () => {
  it('rotates on schedule: the new kid signs, the old key stays published and verifies until its receipts expire, then is refused', async () => {
    const c = clock();
    const store = fakeSigningKeyStore(c.now);
    const ttlSeconds = 12 * 3_600;
    const service = await createReceiptService({ store, ttlSeconds, rotateAfterDays: 1, now: c.now });
    const t0 = c.t;
    const first = await service.sign(facts());
    const kidA = kidOf(first);
    expect((await service.jwks()).keys.map((k) => k.kid)).toEqual([kidA]);

    c.advance(DAY - 60_000); // not due yet
    const lastByA = await service.sign(facts());
    expect(kidOf(lastByA)).toBe(kidA);

    c.advance(2 * 60_000); // the key is now older than a day: the next receipt rotates it
    const afterRotation = await service.sign(facts());
    const kidB = kidOf(afterRotation);
    expect(kidB).not.toBe(kidA);
    const retiredAt = store.records.find((r) => r.kid === kidA)!.retired_at!;
    expect(retiredAt.getTime()).toBe(c.t);
    expect(store.records.filter((r) => r.retired_at === null).map((r) => r.kid)).toEqual([kidB]);

    // The JWKS serves both; both receipts verify online and offline against it.
    const jwks = await service.jwks();
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual([kidA, kidB].sort());
    expect(await codeOf(service.verify(first, content))).toBe('RECEIPT_EXPIRED'); // its own TTL (12 h) is over
    const offline = createJwksVerifier({ jwks, now: c.now });
    for (const token of [lastByA, afterRotation]) {
      expect((await service.verify(token, content)).valid).toBe(true);
      await expect(offline.verify(token, content)).resolves.toMatchObject({ valid: true });
    }

    // Just before the window closes, the last receipt of the old key still verifies...
    const windowEnd = retiredAt.getTime() + ttlSeconds * 1000 + SIGNER_LEASE_MS;
    c.t = t0 + DAY - 60_000 + ttlSeconds * 1000 - 1_000;
    expect((await service.verify(lastByA, content)).valid).toBe(true);
    // ...and after it the key is gone from the JWKS and its receipts are refused.
    c.t = windowEnd;
    expect((await service.jwks()).keys.map((k) => k.kid)).toEqual([kidB]);
    expect(await codeOf(service.verify(lastByA, content))).toBe('RECEIPT_EXPIRED');
    expect((await service.verify(await service.sign(facts()), content)).valid).toBe(true);
  });

  it('refuses what a retired key signed after its retirement, and anything it signed once its window closed', async () => {
    const store = fakeSigningKeyStore();
    const c = clock();
    const ttlSeconds = 3_600;
    const service = await createReceiptService({ store, ttlSeconds, now: c.now });
    const kidA = store.records[0]!.kid;
    await rotateSigningKey(store, { now: c.now(), ttlSeconds });
    const retiredAt = c.t;

    // Signed within the signer lease (another instance had not seen the rotation yet): accepted.
    c.advance(SIGNER_LEASE_MS - 1_000);
    expect((await service.verify(await signWith(store, kidA, c.t, c.t + ttlSeconds * 1000), content)).valid).toBe(true);
    // Signed well after the retirement, e.g. with a leaked key: refused.
    c.advance(2 * SIGNER_LEASE_MS);
    const late = await signWith(store, kidA, c.t, c.t + ttlSeconds * 1000);
    expect(await codeOf(service.verify(late, content))).toBe('RECEIPT_INVALID');
    // Signed before the retirement with a forged, far expiry: refused once the window closed.
    const longLived = await signWith(store, kidA, retiredAt - 1_000, retiredAt + 30 * DAY);
    expect((await service.verify(longLived, content)).valid).toBe(true);
    c.t = retiredAt + ttlSeconds * 1000 + SIGNER_LEASE_MS;
    const error = await service.verify(longLived, content).catch((e: AppError) => e);
    expect(error).toBeInstanceOf(AppError);
    // In whole seconds, as the JWKS publishes it (offline verification gives the same details).
    const retiredSecond = new Date(Math.floor(retiredAt / 1000) * 1000).toISOString();
    expect(error).toMatchObject({ code: 'RECEIPT_INVALID', details: { kid: kidA, retired_at: retiredSecond } });
  });

  it('`keys rotate --revoke` drops the old key from the JWKS, lists it as revoked, and refuses its receipts at once', async () => {
    const store = fakeSigningKeyStore();
    const c = clock();
    const service = await createReceiptService({ store, ttlSeconds: 86_400, now: c.now });
    const old = await service.sign(facts());
    const rotation = await rotateSigningKey(store, { now: c.now(), ttlSeconds: 86_400, revoke: true });
    expect(rotation.retired).toEqual([kidOf(old)]);
    const jwks = await service.jwks();
    expect(jwks.keys.map((k) => k.kid)).toEqual([rotation.kid]);
    expect(jwks.revoked).toEqual([{ kid: kidOf(old), revoked_at: Math.floor(c.t / 1000) }]);
    const refused = await service.verify(old, content).catch((e: AppError) => e);
    expect(refused).toMatchObject({ code: 'RECEIPT_INVALID', message: 'The receipt was signed by a revoked signing key.', details: { kid: kidOf(old) } });
    c.advance(SIGNER_REFRESH_MS);
    const fresh = await service.sign(facts());
    expect(kidOf(fresh)).toBe(rotation.kid);
    expect((await service.verify(fresh, content)).valid).toBe(true);
  });

  it('a running instance picks up a rotation made elsewhere within the refresh interval, without a restart', async () => {
    const store = fakeSigningKeyStore();
    const c = clock();
    const service = await createReceiptService({ store, ttlSeconds: 600, now: c.now });
    const kidA = kidOf(await service.sign(facts()));
    const { kid: kidB } = await rotateSigningKey(store, { now: c.now(), ttlSeconds: 600 });
    c.advance(SIGNER_REFRESH_MS / 2);
    const stale = await service.sign(facts());
    expect(kidOf(stale)).toBe(kidA); // not refreshed yet, and still accepted: inside the signer lease
    expect((await service.verify(stale, content)).valid).toBe(true);
    c.advance(SIGNER_REFRESH_MS);
    expect(kidOf(await service.sign(facts()))).toBe(kidB);
  });

  it('two instances rotating at the same moment converge on one active key', async () => {
    const c = clock();
    const store = fakeSigningKeyStore(c.now);
    const options = { store, ttlSeconds: 600, rotateAfterDays: 1, now: c.now };
    const [one, two] = await Promise.all([createReceiptService(options), createReceiptService(options)]);
    c.advance(DAY + 1);
    await Promise.all([one.sign(facts()), two.sign(facts())]);
    c.advance(SIGNER_REFRESH_MS);
    const [a, b] = await Promise.all([one.sign(facts()), two.sign(facts())]);
    const active = store.records.filter((r) => r.retired_at === null);
    expect(active).toHaveLength(1);
    expect([kidOf(a), kidOf(b)]).toEqual([active[0]!.kid, active[0]!.kid]);
  });

  it('a failing key store: receipts are signed for the rest of the signer lease, then refused; verification and the JWKS keep working', async () => {
    const inner = fakeSigningKeyStore();
    let down = false;
    const store: SigningKeyStore = { ...inner, all: async () => (down ? Promise.reject(new Error('db down')) : inner.all()) };
    const c = clock();
    const service = await createReceiptService({ store, ttlSeconds: 600, rotateAfterDays: 1, now: c.now });
    const kid = inner.records[0]!.kid;
    down = true;
    c.advance(SIGNER_LEASE_MS - 1_000);
    const issued = await service.sign(facts());
    expect(kidOf(issued)).toBe(kid);
    // Verification and the JWKS keep working from the keys known here; an unknown kid is refused, not a 500.
    expect((await service.verify(issued, content)).valid).toBe(true);
    // Past the lease the key may have been revoked meanwhile: no receipt, rather than one signed by a revoked key.
    c.advance(DAY);
    expect(await codeOf(service.sign(facts()))).toBe('NOT_READY');
    expect((await service.jwks()).keys.map((k) => k.kid)).toEqual([kid]);
    const intruder = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const unknown = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', kid: 'new-elsewhere', typ: 'gatehouse-receipt+jwt' }).sign(intruder.privateKey);
    expect(await codeOf(service.verify(unknown, content))).toBe('RECEIPT_INVALID');
  });

  it('a key store back from an outage signs again at once, not a refresh interval later (the audit commit just reached it)', async () => {
    const inner = fakeSigningKeyStore();
    let down = false;
    const store: SigningKeyStore = { ...inner, all: async () => (down ? Promise.reject(new Error('db down')) : inner.all()) };
    const c = clock();
    const service = await createReceiptService({ store, ttlSeconds: 600, now: c.now });
    down = true;
    c.advance(SIGNER_LEASE_MS + 1_000);
    expect(await codeOf(service.sign(facts()))).toBe('NOT_READY');
    // Back, with the failed read a moment ago (less than SIGNER_REFRESH_MS): the next receipt is signed.
    down = false;
    c.advance(SIGNER_REFRESH_MS / 10);
    expect(kidOf(await service.sign(facts()))).toBe(inner.records[0]!.kid);
  });

  it('clock skew: receipts cross instances whose clocks differ; past the rotation grace a stale signer fails closed', async () => {
    const real = clock();
    const store = fakeSigningKeyStore(real.now);
    const ahead = { now: () => new Date(real.t + 5 * 60_000) };
    const onTime = await createReceiptService({ store, ttlSeconds: 600, now: real.now });
    const fast = await createReceiptService({ store, ttlSeconds: 600, now: ahead.now });
    // Issued 5 minutes "in the future": accepted (iat is not checked against the clock), and it expires by the
    // issuer's clock, i.e. 5 minutes later than a receipt issued on time would.
    const token = await fast.sign(facts());
    expect((await onTime.verify(token, content)).valid).toBe(true);
    real.advance(5 * 60_000 + 600_000 - 1_000);
    expect((await onTime.verify(token, content)).valid).toBe(true);
    real.advance(2_000);
    expect(await codeOf(onTime.verify(token, content))).toBe('RECEIPT_EXPIRED');

    // The key is retired (by an instance on time) while the fast instance still signs with it: its iat is
    // 5 minutes past the retirement, beyond the grace, so the receipt is refused and posting fails closed.
    const kid = kidOf(token);
    await rotateSigningKey(store, { now: real.now(), ttlSeconds: 600 });
    const skewed = await signWith(store, kid, ahead.now().getTime(), ahead.now().getTime() + 600_000);
    real.advance(SIGNER_REFRESH_MS);
    expect(await codeOf(onTime.verify(skewed, content))).toBe('RECEIPT_INVALID');
    // Within the signer lease (a skew of a few seconds), the same situation is accepted.
    const slight = await signWith(store, kid, real.t - SIGNER_REFRESH_MS + 3_000, real.t + 600_000);
    expect((await onTime.verify(slight, content)).valid).toBe(true);
  });

  it('a lost signing key (its row gone, e.g. an old backup restored): its receipts are refused as unknown, a new key takes over', async () => {
    const c = clock();
    const store = fakeSigningKeyStore(c.now);
    const service = await createReceiptService({ store, ttlSeconds: 600, now: c.now });
    const before = await service.sign(facts());
    store.records.length = 0; // the table lost its rows
    c.advance(SIGNER_REFRESH_MS);
    const after = await service.sign(facts());
    expect(kidOf(after)).not.toBe(kidOf(before));
    expect(store.records.map((r) => r.kid)).toEqual([kidOf(after)]);
    expect((await service.verify(after, content)).valid).toBe(true);
    // A fresh instance (after a restart) no longer knows the lost key.
    const restarted = await createReceiptService({ store, ttlSeconds: 600, now: c.now });
    expect(await codeOf(restarted.verify(before, content))).toBe('RECEIPT_INVALID');
  });

  it('GATEHOUSE_RECEIPT_KEY_ROTATE_DAYS: default 30, 0 turns scheduled rotation off, bad values are refused', () => {
    expect(createConfig({}).receiptKeyRotateDays).toBe(30);
    expect(createConfig({ GATEHOUSE_RECEIPT_KEY_ROTATE_DAYS: '0' }).receiptKeyRotateDays).toBe(0);
    expect(() => createConfig({ GATEHOUSE_RECEIPT_KEY_ROTATE_DAYS: '-1' })).toThrow(ConfigError);
    expect(() => createConfig({ GATEHOUSE_RECEIPT_KEY_ROTATE_DAYS: 'weekly' })).toThrow(/GATEHOUSE_RECEIPT_KEY_ROTATE_DAYS/);
  });
});

describe('`gatehouse keys` against a real data dir', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('lists, rotates and revokes; the rotation shows how long the old key stays published', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gh-keys-'));
    dirs.push(dataDir);
    const env = { GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_RECEIPT_TTL_SECONDS: '3600' };
    const lines: string[] = [];
    const waited: number[] = [];
    const io = { out: (l: string) => void lines.push(l), err: (l: string) => void lines.push(`ERR ${l}`), sleep: async (ms: number) => void waited.push(ms) };
    expect(await migrateCommand(env, io)).toBe(0);

    expect(await keysCommand(['rotate'], env, io)).toBe(0);
    const first = /^new signing key (\S+)$/.exec(lines.find((l) => l.startsWith('new signing key'))!)![1]!;
    lines.length = 0;
    expect(await keysCommand(['rotate'], env, io)).toBe(0);
    const retired = lines.find((l) => l.startsWith('retired '))!;
    expect(retired).toMatch(new RegExp(`^retired ${first}: verifies its receipts until \\d{4}-`));
    lines.length = 0;
    expect(await keysCommand(['list'], env, io)).toBe(0);
    expect(lines.filter((l) => l.endsWith('active'))).toHaveLength(1);
    expect(lines.find((l) => l.startsWith(first))).toMatch(/retired, published until/);
    lines.length = 0;
    expect(await keysCommand(['rotate', '--revoke'], env, io)).toBe(0);
    // Both keys still published (the active one and the one retired above) are revoked.
    expect(lines.filter((l) => l.startsWith('revoked '))).toHaveLength(2);
    expect(lines.filter((l) => / {2}revoked \d{4}-/.test(l))).toHaveLength(2);
    // It returned only after the signer lease: no server signs with a revoked key once it has.
    expect(waited).toEqual([SIGNER_LEASE_MS + 1_000]);
    expect(lines.filter((l) => l.endsWith('active'))).toHaveLength(1);

    expect(await keysCommand(['spin'], env, io)).toBe(2);
    expect(await keysCommand(['rotate', '--force'], env, io)).toBe(2);
  });

  it('is wired into the gatehouse command', () => {
    const cli = path.resolve(import.meta.dirname, '../../../dist/server/cli.js');
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\``);
    const run = spawnSync(process.execPath, [cli, 'keys'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Usage: gatehouse keys');
    expect(run.stderr).toMatch(/^\s+rotate \[options\]/m);
  });
});

describe('receipts over HTTP: rotation and the refusal matrix', () => {
  const database = useDatabase('pglite');
  const c = clock();
  let gh: Gatehouse;
  const verify = (receipt: string | undefined, text = content) =>
    request(gh.app).post('/v1/receipts/verify').set(auth(EVALUATOR_KEY)).send(receipt === undefined ? { content: text } : { receipt, content: text });

  beforeAll(async () => {
    gh = await buildGatehouse(database().db, { now: c.now, env: { GATEHOUSE_RECEIPT_TTL_SECONDS: '3600' } });
    expect((await pin(gh.app, 'rk-enforced', { mode: 'enforced' })).status).toBeLessThan(300);
  });
  afterAll(() => gh?.close());

  it('the receipt header names its key (kid), which the JWKS publishes; after a rotation both verify, then the old one is refused', async () => {
    const before = (await evaluate(gh.app, { content, stage: 'rk-enforced' })).body.receipt as string;
    const jwks = (await request(gh.app).get('/.well-known/jwks.json')).body as { keys: JWK[] };
    expect(jwks.keys.map((k) => k.kid)).toContain(kidOf(before));
    // Batch-signed (issue 14): the header is the batch head's, which names the key the same way.
    expect(decodeProtectedHeader(before)).toMatchObject({ alg: 'EdDSA', typ: 'gatehouse-receipt-batch+jwt' });

    const rotation = await rotateSigningKey(gh.stores.signingKeys, { now: c.now(), ttlSeconds: 3_600 });
    c.advance(SIGNER_REFRESH_MS);
    const after = (await evaluate(gh.app, { content, stage: 'rk-enforced' })).body.receipt as string;
    expect(kidOf(after)).toBe(rotation.kid);
    const both = (await request(gh.app).get('/.well-known/jwks.json')).body as { keys: JWK[] };
    expect(both.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([kidOf(before), kidOf(after)]));
    const offline = createJwksVerifier({ jwks: both as never, now: c.now });
    for (const token of [before, after]) {
      expect((await verify(token)).status).toBe(200);
      await expect(offline.verify(token, content)).resolves.toMatchObject({ valid: true });
    }

    c.t = rotation.retiredAt.getTime() + 3_600_000 + SIGNER_LEASE_MS;
    const later = (await request(gh.app).get('/.well-known/jwks.json')).body as { keys: JWK[] };
    expect(later.keys.map((k) => k.kid)).not.toContain(kidOf(before));
    expectError(await verify(before), 422, 'RECEIPT_EXPIRED');
  });

  it('refuses each attack with its code', async () => {
    const good = (await evaluate(gh.app, { content, stage: 'rk-enforced' })).body.receipt as string;
    const [h, p, s] = good.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const intruder = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const header = { ...decodeProtectedHeader(good), alg: 'EdDSA' };

    expectError(await verify(undefined), 428, 'ENFORCEMENT_RECEIPT_REQUIRED');
    expectError(await verify(good, `${content}!`), 422, 'RECEIPT_CONTENT_MISMATCH'); // replay for other content
    expectError(await verify(good, [content] as never), 422, 'RECEIPT_CONTENT_MISMATCH'); // same text as a thread
    expectError(await verify(`${h}.${b64({ ...claims, decision: 'PASS', allowed: true, mode: 'off' })}.${s}`), 422, 'RECEIPT_INVALID'); // tampered claim
    expectError(await verify(`${h}.${p}.${Buffer.alloc(64, 7).toString('base64url')}`), 422, 'RECEIPT_INVALID'); // forged signature
    const forged = await new SignJWT(claims).setProtectedHeader(header).sign(intruder.privateKey);
    expectError(await verify(forged), 422, 'RECEIPT_INVALID'); // signed by another key under our kid
    const unknown = await new SignJWT(claims).setProtectedHeader({ ...header, kid: 'someone-elses-key' }).sign(intruder.privateKey);
    expect(expectError(await verify(unknown), 422, 'RECEIPT_INVALID').details).toEqual({ kid: 'someone-elses-key' });
    expectError(await verify(`${b64({ alg: 'none', kid: header.kid, typ: header.typ })}.${p}.`), 422, 'RECEIPT_INVALID'); // alg none
    // Algorithm confusion: HMAC keyed with the public key's bytes.
    const publicX = ((await request(gh.app).get('/.well-known/jwks.json')).body.keys as JWK[]).find((k) => k.kid === header.kid)!.x!;
    const hs = await new SignJWT(claims).setProtectedHeader({ ...header, alg: 'HS256' }).sign(Buffer.from(publicX, 'base64url'));
    expectError(await verify(hs), 422, 'RECEIPT_INVALID');
    const untyped = await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: header.kid }).sign(intruder.privateKey);
    expectError(await verify(untyped), 422, 'RECEIPT_INVALID');
    c.advance(3_600_000 + 1_000);
    expectError(await verify(good), 422, 'RECEIPT_EXPIRED');
  });
});
