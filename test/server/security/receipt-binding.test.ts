/**
 * Issue 13, findings 1 and 6, against a real server on PostgreSQL:
 *  1. a receipt is bound to its stage and platform: an advisory `dev` or `off` `sandbox`
 *     receipt for a post that enforced `prod` blocks, or a 407-character PASS on threads,
 *     is refused when posting for prod / to x, by the verify endpoint and offline alike;
 *  6. revocation: no receipt is signed with a revoked key once `gatehouse keys rotate --revoke`
 *     has returned; the JWKS lists the key as revoked with a one-minute max-age, and an offline
 *     verifier refuses the key's receipts as soon as its cached keys are stale.
 * Plus the batch receipts' own attack matrix (issue 14): tampered claims, borrowed proofs and
 * heads, foreign or unsigned heads.
 */
import { SignJWT, decodeProtectedHeader, generateKeyPair } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwksVerifier, GatehouseError, type ReceiptVerifier } from '../../../client/index.js';
import { keysCommand } from '../../../server/receipts/keys-command.js';
import { SIGNER_LEASE_MS } from '../../../server/receipts/key-rotation.js';
import { useDatabase } from '../../helpers/databases.js';
import { startGatehouse, type LiveGatehouse } from '../../client/live.js';
import { CONTENT, EVALUATOR_KEY, auth, expectError } from '../api/harness.js';

const database = useDatabase('postgres');
let live: LiveGatehouse;

/** 407 characters: over x's 280, under threads' 500. */
const LONG_POST = `${'Our garden planner now plans beds, rotations and watering schedules for a whole season. '.repeat(5)}`.slice(0, 406) + '!';

beforeAll(async () => {
  live = await startGatehouse(database().db);
  const pack = (await live.admin.listStages()).items.find((s) => s.stage === 't-enforced')!;
  for (const [stage, mode] of [['prod', 'enforced'], ['dev', 'advisory'], ['sandbox', 'off']] as const) {
    await live.admin.pinStage(stage, { pack: pack.pack, version: pack.version, mode });
  }
});
afterAll(() => live?.close());

const verify = (body: Record<string, unknown>) => request(live.gh.app).post('/v1/receipts/verify').set(auth(EVALUATOR_KEY)).send(body);

/** The same audit path claimed for the next leaf index. */
function nextLeaf(proof: string): string {
  const bytes = Buffer.from(proof, 'base64url');
  bytes.writeUInt32BE(bytes.readUInt32BE(0) + 1);
  return bytes.toString('base64url');
}

async function offlineCode(verifier: ReceiptVerifier, ...args: Parameters<ReceiptVerifier['verify']>): Promise<string> {
  try {
    await verifier.verify(...args);
    return 'VALID';
  } catch (error) {
    if (!(error instanceof GatehouseError)) throw error;
    return error.code;
  }
}

describe('finding 1: receipts are bound to their stage and platform', () => {
  it('a post that FAILs on enforced prod gets a receipt on dev or sandbox, which cannot be used for prod', async () => {
    expect(await live.client.evaluate({ content: CONTENT.profane, stage: 'prod' })).toMatchObject({ decision: 'FAIL', allowed: false });
    const offline = createJwksVerifier({ jwksUrl: live.client.jwksUrl });
    for (const stage of ['dev', 'sandbox']) {
      const answer = await live.client.evaluate({ content: CONTENT.profane, stage });
      expect(answer.allowed).toBe(true);
      // As before, without an expected stage the receipt verifies (and says what it is for)...
      expect((await verify({ receipt: answer.receipt, content: CONTENT.profane })).body.claims).toMatchObject({ stage, platform: 'x' });
      // ...and a verifier posting for prod refuses it.
      const refused = expectError(await verify({ receipt: answer.receipt, content: CONTENT.profane, stage: 'prod' }), 422, 'RECEIPT_STAGE_MISMATCH');
      expect(refused.details).toEqual({ expected: ['prod'], actual: stage, receipt_id: answer.receipt_id });
      expect(await offlineCode(offline, answer.receipt, CONTENT.profane, { stage: 'prod', platform: 'x' })).toBe('RECEIPT_STAGE_MISMATCH');
      expect(await offlineCode(offline, answer.receipt, CONTENT.profane, { stage: ['prod', stage], platform: 'x' })).toBe('VALID');
    }
  });

  it('a 407-character post that PASSes on threads cannot be posted to x', async () => {
    expect((await live.client.evaluate({ content: LONG_POST, stage: 'prod', platform: 'x' })).decision).toBe('FAIL');
    const threads = await live.client.evaluate({ content: LONG_POST, stage: 'prod', platform: 'threads' });
    expect(threads).toMatchObject({ decision: 'PASS', allowed: true });
    const refused = expectError(await verify({ receipt: threads.receipt, content: LONG_POST, stage: 'prod', platform: 'x' }), 422, 'RECEIPT_PLATFORM_MISMATCH');
    expect(refused.details).toEqual({ expected: ['x'], actual: 'threads', receipt_id: threads.receipt_id });
    const offline = createJwksVerifier({ jwksUrl: live.client.jwksUrl });
    expect(await offlineCode(offline, threads.receipt, LONG_POST, { stage: 'prod', platform: 'x' })).toBe('RECEIPT_PLATFORM_MISMATCH');
    expect(await offlineCode(offline, threads.receipt, LONG_POST, { stage: 'prod', platform: 'threads' })).toBe('VALID');
  });

  it('refuses a malformed expectation with the error shape', async () => {
    const answer = await live.client.evaluate({ content: CONTENT.pass, stage: 'prod' });
    expectError(await verify({ receipt: answer.receipt, content: CONTENT.pass, stage: [] }), 400, 'INVALID_REQUEST');
    expectError(await verify({ receipt: answer.receipt, content: CONTENT.pass, platform: 'x'.repeat(65) }), 400, 'INVALID_REQUEST');
  });
});

describe('batch-signed receipts: the attack matrix', () => {
  it('refuses tampered claims, a borrowed proof or head, a foreign head and an unsigned one', async () => {
    // One after the other, so that the two receipts are in different batches (different heads).
    const answers = [];
    for (const content of [CONTENT.pass, CONTENT.profane]) answers.push(await live.client.evaluate({ content, stage: 'prod' }));
    const [pass, fail] = answers.map((a) => a.receipt!.split('~') as [string, string, string]);
    expect(pass![0]).not.toBe(fail![0]);
    const offline = createJwksVerifier({ jwksUrl: live.client.jwksUrl });
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const claims = JSON.parse(Buffer.from(fail![1], 'base64url').toString()) as Record<string, unknown>;
    const intruder = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const headHeader = decodeProtectedHeader(fail![0]);
    const [hh, hp] = fail![0].split('.');
    const forgedHead = await new SignJWT(JSON.parse(Buffer.from(hp!, 'base64url').toString())).setProtectedHeader({ ...headHeader, alg: 'EdDSA' }).sign(intruder.privateKey);
    const attacks: [string, string][] = [
      ['the FAIL claims rewritten to PASS', `${fail![0]}~${b64({ ...claims, decision: 'PASS', allowed: true })}~${fail![2]}`],
      ['the FAIL claims with its proof moved to the next leaf', `${fail![0]}~${fail![1]}~${nextLeaf(fail![2])}`],
      ['another receipt\'s head', `${pass![0]}~${fail![1]}~${fail![2]}`],
      ['a head signed by another key under our kid', `${forgedHead}~${fail![1]}~${fail![2]}`],
      ['an unsigned head (alg none)', `${b64({ ...headHeader, alg: 'none' })}.${hp}.~${fail![1]}~${fail![2]}`],
      ['a single-JWS type on the head', `${b64({ ...headHeader, typ: 'gatehouse-receipt+jwt' })}.${hp}.${fail![0].split('.')[2]}~${fail![1]}~${fail![2]}`],
      ['a truncated proof', `${fail![0]}~${fail![1]}~${fail![2].slice(0, -4)}`],
      ['four parts', `${fail![0]}~${fail![1]}~${fail![2]}~${fail![2]}`],
    ];
    expect(hh).toBeDefined();
    for (const [name, token] of attacks) {
      const content = CONTENT.profane;
      expect(expectError(await verify({ receipt: token, content }), 422, 'RECEIPT_INVALID'), name).toBeDefined();
      expect(await offlineCode(offline, token, content), name).toBe('RECEIPT_INVALID');
    }
  });
});

describe('finding 6: revocation', () => {
  it('serves the JWKS with a one-minute max-age and each key\'s status', async () => {
    const res = await request(live.gh.app).get('/.well-known/jwks.json');
    expect(res.headers['cache-control']).toBe('public, max-age=60, stale-if-error=600');
    expect(res.body.keys.length).toBeGreaterThan(0);
    for (const key of res.body.keys) expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', use: 'sig', status: expect.stringMatching(/^(active|retired)$/) });
    expect(res.body.revoked).toEqual([]);
  });

  it('no receipt is signed with a revoked key once `keys rotate --revoke` has returned; verifiers refuse its receipts', async () => {
    const before = await live.client.evaluate({ content: CONTENT.pass, stage: 'prod' });
    const oldKid = decodeProtectedHeader(before.receipt!).kid!;
    // An offline verifier that fetched the keys before the revocation, with a clock the test moves.
    let t = Date.now();
    const cached = createJwksVerifier({ jwksUrl: live.client.jwksUrl, clock: () => t });
    expect(await offlineCode(cached, before.receipt, CONTENT.pass)).toBe('VALID');

    // Evaluations keep coming in while the command runs.
    const issued: { startedAt: number; kid: string }[] = [];
    let running = true;
    const traffic = (async () => {
      while (running) {
        const startedAt = Date.now();
        const answer = await live.client.evaluate({ content: CONTENT.pass, stage: 'prod' });
        issued.push({ startedAt, kid: decodeProtectedHeader(answer.receipt!).kid! });
      }
    })();
    const lines: string[] = [];
    const io = { out: (l: string) => void lines.push(l), err: (l: string) => void lines.push(`ERR ${l}`) };
    const started = Date.now();
    expect(await keysCommand(['rotate', '--revoke'], { DATABASE_URL: database().url! }, io), lines.join('\n')).toBe(0);
    const returnedAt = Date.now();
    expect(returnedAt - started).toBeGreaterThanOrEqual(SIGNER_LEASE_MS);
    expect(lines).toContain(`revoked ${oldKid}: no server signs with it any more, its receipts are refused, and the JWKS lists it as revoked`);
    // A little more traffic after the command returned, then stop.
    const after = await live.client.evaluate({ content: CONTENT.pass, stage: 'prod' });
    running = false;
    await traffic;

    const newKid = decodeProtectedHeader(after.receipt!).kid!;
    expect(newKid).not.toBe(oldKid);
    expect(issued.length).toBeGreaterThan(0);
    expect(issued.filter((r) => r.startedAt >= returnedAt && r.kid === oldKid)).toEqual([]);
    // The service refuses the old key's receipts at once, and the JWKS lists it as revoked.
    const refused = expectError(await verify({ receipt: before.receipt, content: CONTENT.pass }), 422, 'RECEIPT_INVALID');
    expect(refused.message).toBe('The receipt was signed by a revoked signing key.');
    const jwks = (await request(live.gh.app).get('/.well-known/jwks.json')).body as { keys: { kid: string }[]; revoked: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).not.toContain(oldKid);
    expect(jwks.revoked.map((k) => k.kid)).toContain(oldKid);

    // The cached verifier trusts its keys for the JWKS's max-age (the documented window), then refuses.
    t += 59_000;
    expect(await offlineCode(cached, before.receipt, CONTENT.pass)).toBe('VALID');
    t += 2_000;
    expect(await offlineCode(cached, before.receipt, CONTENT.pass)).toBe('RECEIPT_INVALID');
    expect(await offlineCode(cached, after.receipt, CONTENT.pass)).toBe('VALID');
  });
});
