import { randomUUID } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, generateKeyPair } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRow } from '../../../server/audit/audit-store.js';
import type { Decided } from '../../../server/evaluations/decided.js';
import type { Gatehouse } from '../../../server/compose.js';
import { useDatabase } from '../../helpers/databases.js';
import { Decision, EvaluateResponse } from '../../../contract/schemas/evaluations.js';
import { Jwks, VerifyResponse } from '../../../contract/schemas/receipts.js';
import { ADMIN_KEY, CONTENT, EVALUATOR_KEY, auth, buildGatehouse, conforms, evaluate, expectError, pin } from './harness.js';

const database = useDatabase('pglite');
let gh: Gatehouse;
/** Every decision handed to the onDecision listeners. */
const decided: Decided[] = [];
const logLines: string[] = [];

beforeAll(async () => {
  gh = await buildGatehouse(database().db, { logSink: logLines, onDecision: [(d) => decided.push(d)] });
  for (const mode of ['off', 'advisory', 'enforced']) expect((await pin(gh.app, `t-${mode}`, { mode })).status).toBeLessThan(300);
});
afterAll(() => gh?.close());

const auditRows = (ids: string[]) => database().db.knex('audit_events').whereIn('request_id', ids);

describe('POST /v1/evaluate: mode × outcome', () => {
  const table = [
    // mode, content, decision, allowed, error code, violations, warnings ≥
    ['off', CONTENT.pass, 'SKIPPED', true, undefined, 0, 0],
    ['off', CONTENT.profane, 'SKIPPED', true, undefined, 0, 0],
    ['advisory', CONTENT.pass, 'PASS', true, undefined, 0, 0],
    ['advisory', CONTENT.profane, 'FAIL', true, undefined, 1, 1],
    ['enforced', CONTENT.pass, 'PASS', true, undefined, 0, 0],
    ['enforced', CONTENT.profane, 'FAIL', false, 'QA_REJECTED', 1, 0],
    ['enforced', CONTENT.threat, 'FAIL', false, 'HARMFUL_CONTENT', 1, 0],
    ['enforced', CONTENT.selfHarm, 'FAIL', false, 'HARMFUL_CONTENT', 1, 0],
  ] as const;

  it.each(table)('%s, %j → %s allowed=%s %s', async (mode, content, decision, allowed, code, violations, minWarnings) => {
    const res = await evaluate(gh.app, { content, stage: `t-${mode}`, workflow_id: 'wf-table', agent: 'writer' });
    expect(res.status).toBe(200);
    const body = res.body;
    conforms(EvaluateResponse, body);
    expect(Object.keys(body).sort()).toEqual(
      ['request_id', 'receipt_id', 'stage', 'mode', 'policy', 'decision', 'checks', 'allowed', 'violations', 'required_edits',
        'warnings', 'sanitized', 'audit_ok', 'receipt', ...(code ? ['error'] : [])].sort(),
    );
    expect(body).toMatchObject({ stage: `t-${mode}`, mode, decision, allowed, audit_ok: true });
    expect(body.policy).toEqual({ pack: 'qa', version: '2.0.0', hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(body.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.receipt_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.receipt.split('.')).toHaveLength(3);
    expect(body.violations.length >= violations).toBe(true);
    if (violations === 0) expect(body.violations).toEqual([]);
    expect(body.warnings.length).toBeGreaterThanOrEqual(minWarnings);
    if (mode === 'off') expect(body.checks).toEqual([]);
    else expect(body.checks).toEqual(expect.arrayContaining(['profanity', 'self-harm', 'post-length']));
    if (mode === 'advisory' && decision === 'FAIL') {
      expect(body.warnings.map((w: { code: string }) => w.code)).toContain('PROFANITY');
    }
    if (code) {
      expect(body.error).toMatchObject({ code, message: expect.any(String), suggestedFix: expect.any(String) });
      expect(body.error.details.violations.length).toBeGreaterThan(0);
    } else {
      expect(body).not.toHaveProperty('error');
    }
    if (code === 'HARMFUL_CONTENT' && content === CONTENT.selfHarm) expect(body.error.suggestedFix).toMatch(/988/);

    // The receipt attests exactly this decision, and verifies.
    const verified = await request(gh.app).post('/v1/receipts/verify').set(auth(EVALUATOR_KEY)).send({ receipt: body.receipt, content });
    expect(verified.status).toBe(200);
    conforms(VerifyResponse, verified.body);
    expect(verified.body.claims).toMatchObject({
      jti: body.receipt_id, sub: body.request_id, stage: `t-${mode}`, mode, decision, allowed, pack: 'qa', policy_version: '2.0.0',
      policy_hash: body.policy.hash,
    });
    expect(verified.body.allowed_to_post).toBe(!(mode === 'enforced' && decision === 'FAIL'));
  });

  it('leaves exactly one audit row per evaluation, with its policy_version, and serves it back', async () => {
    const ids: string[] = [];
    for (const stage of ['t-off', 't-advisory', 't-enforced']) {
      for (const content of [CONTENT.pass, CONTENT.profane]) {
        const res = await evaluate(gh.app, { content, stage, workflow_id: 'wf-audit', agent: 'a1', platform: 'x' });
        ids.push(res.body.request_id);
      }
    }
    const rows: AuditRow[] = await auditRows(ids);
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map((r) => r.request_id)).size).toBe(6);
    for (const row of rows) {
      expect(row).toMatchObject({ pack_id: 'qa', policy_version: '2.0.0', workflow_id: 'wf-audit', agent: 'a1', platform: 'x', content: null });
      expect(row.caller).toMatch(/^env-evaluator-/);
      expect(row.receipt_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.content_sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    const enforcedFail = rows.find((r) => r.stage === 't-enforced' && r.decision === 'FAIL')!;
    expect(enforcedFail.allowed).toBe(false);
    expect(enforcedFail.violation_codes).toContain('PROFANITY');

    const stored = await request(gh.app).get(`/v1/decisions/${enforcedFail.request_id}`).set(auth(EVALUATOR_KEY));
    expect(stored.status).toBe(200);
    conforms(Decision, stored.body);
    expect(stored.body).toMatchObject({ request_id: enforcedFail.request_id, decision: 'FAIL', allowed: false, audit_ok: true, error: { code: 'QA_REJECTED' } });
    expect(stored.body).not.toHaveProperty('receipt');
    expectError(await request(gh.app).get(`/v1/decisions/${randomUUID()}`).set(auth(EVALUATOR_KEY)), 404, 'NOT_FOUND');
    expectError(await request(gh.app).get('/v1/decisions/not-a-uuid').set(auth(EVALUATOR_KEY)), 400, 'INVALID_REQUEST');
  });

  it('hands every answered decision to the onDecision listeners, without the receipt', async () => {
    decided.length = 0;
    const res = await evaluate(gh.app, { content: CONTENT.pass, stage: 't-advisory' });
    const seen = decided.map((d) => d.decision);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ request_id: res.body.request_id, decision: 'PASS' });
    expect(seen[0]).not.toHaveProperty('receipt');
    const { receipt: _receipt, ...answered } = res.body;
    expect(seen[0]).toEqual(answered);
    expect(Object.keys(seen[0]!)).toEqual(Object.keys(answered));
  });

  it("answers with res.json's bytes under the app's settings (server/http/json-answer.ts writes them itself)", async () => {
    // sendJson writes what res.json would under no `json spaces`, `json replacer` or `json escape`:
    // a setting added to the app would reach every other route and not this one.
    expect([gh.app.get('json spaces'), gh.app.get('json replacer'), gh.app.get('json escape')]).toEqual([undefined, undefined, undefined]);
    const res = await evaluate(gh.app, { content: 'Ünïcödé “quoted” 😀 is fine.', stage: 't-advisory' }).buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text, 'utf8'));
    expect(res.text).toBe(JSON.stringify(JSON.parse(res.text)));
  });

  it('counts decisions and latency in /metrics', async () => {
    await evaluate(gh.app, { content: CONTENT.profane, stage: 't-enforced' });
    const text = (await request(gh.app).get('/metrics')).text;
    expect(text).toMatch(/gatehouse_decisions_total\{stage="t-enforced",mode="enforced",decision="FAIL"\} [1-9]/);
    expect(text).toMatch(/gatehouse_evaluate_duration_seconds_count\{mode="enforced"\} [1-9]/);
    expect(text).toMatch(/gatehouse_audit_write_failures_total 0/);
  });

  it('never logs keys, content or receipts, and logs each decision', async () => {
    const secretText = 'zebra-quartz-unique-content-marker';
    const res = await evaluate(gh.app, { content: `${secretText} ${CONTENT.profane}`, stage: 't-enforced' });
    const all = logLines.join('\n');
    expect(all).not.toContain(EVALUATOR_KEY);
    expect(all).not.toContain(ADMIN_KEY);
    expect(all).not.toContain(secretText);
    expect(all).not.toContain(res.body.receipt);
    const line = logLines.map((l) => JSON.parse(l)).find((l) => l.request_id === res.body.request_id && l.msg === 'decision');
    expect(line).toMatchObject({ stage: 't-enforced', mode: 'enforced', decision: 'FAIL', audit_ok: true });
    expect(line.latency_ms).toEqual(expect.any(Number));
    expect(line.req.id).toEqual(expect.any(String));
  });
});

describe('POST /v1/evaluate: errors', () => {
  it('STAGE_NOT_FOUND for an unpinned stage', async () => {
    const error = expectError(await evaluate(gh.app, { content: 'hello', stage: 'never-pinned' }), 404, 'STAGE_NOT_FOUND');
    expect(error.details).toEqual({ stage: 'never-pinned' });
    const logged = logLines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request completed' && l.res?.statusCode === 404);
    expect(logged.at(-1)).toMatchObject({ error_code: 'STAGE_NOT_FOUND', level: 40 });
  });

  it('INVALID_REQUEST with details for bad bodies, never a 500', async () => {
    const bad = await evaluate(gh.app, { content: 42, stage: 'UPPER', colour: 'red' });
    const error = expectError(bad, 400, 'INVALID_REQUEST');
    const paths = (error.details as { path: string }[]).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['/content', '/stage', '/colour']));
    expectError(await evaluate(gh.app, { content: [], stage: 't-off' }), 400, 'INVALID_REQUEST');
    expectError(await evaluate(gh.app, { content: [1, 2], stage: 't-off' }), 400, 'INVALID_REQUEST');
    const malformed = await request(gh.app).post('/v1/evaluate').set(auth(EVALUATOR_KEY)).set('Content-Type', 'application/json').send('{"content": ');
    expectError(malformed, 400, 'INVALID_REQUEST');
    const text = await request(gh.app).post('/v1/evaluate').set(auth(EVALUATOR_KEY)).set('Content-Type', 'text/plain').send('hello');
    expectError(text, 400, 'INVALID_REQUEST');
  });

  it('PAYLOAD_TOO_LARGE (413) for a body over the limit, too many posts, or a too-long post', async () => {
    const big = await evaluate(gh.app, { content: 'a'.repeat(300 * 1024), stage: 't-advisory' });
    expectError(big, 413, 'PAYLOAD_TOO_LARGE');
    const posts = expectError(await evaluate(gh.app, { content: Array(101).fill('hi'), stage: 't-advisory' }), 413, 'PAYLOAD_TOO_LARGE');
    expect(posts.details).toEqual({ limit: 100, posts: 101 });
    const long = expectError(await evaluate(gh.app, { content: ['ok', 'b'.repeat(40_001)], stage: 't-advisory' }), 413, 'PAYLOAD_TOO_LARGE');
    expect(long.details).toMatchObject({ limit: 40_000, post: 1 });
  });
});

describe('receipts over HTTP', () => {
  async function enforcedFail() {
    const res = await evaluate(gh.app, { content: CONTENT.profane, stage: 't-enforced' });
    return res.body as { receipt: string; receipt_id: string };
  }
  const verify = (body: Record<string, unknown>) => request(gh.app).post('/v1/receipts/verify').set(auth(EVALUATOR_KEY)).send(body);

  it('an enforced FAIL verifies as valid but not allowed to post', async () => {
    const { receipt } = await enforcedFail();
    const res = await verify({ receipt, content: CONTENT.profane });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ valid: true, allowed_to_post: false, claims: { decision: 'FAIL', mode: 'enforced', allowed: false } });
  });

  it('refuses a missing receipt (428), other content, a tampered claim, a forged signature, an unknown kid', async () => {
    const { receipt } = await enforcedFail();
    expectError(await verify({ content: CONTENT.profane }), 428, 'ENFORCEMENT_RECEIPT_REQUIRED');
    expectError(await verify({ receipt, content: 'something else entirely' }), 422, 'RECEIPT_CONTENT_MISMATCH');

    const [h, p, s] = receipt.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const flipped = Buffer.from(JSON.stringify({ ...claims, decision: 'PASS', allowed: true, mode: 'off' })).toString('base64url');
    expectError(await verify({ receipt: `${h}.${flipped}.${s}`, content: CONTENT.profane }), 422, 'RECEIPT_INVALID');

    const intruder = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const sign = (kid: string) =>
      new SignJWT({ ...claims, decision: 'PASS', allowed: true })
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'gatehouse-receipt+jwt' })
        .sign(intruder.privateKey);
    const kid = decodeProtectedHeader(receipt).kid!;
    expectError(await verify({ receipt: await sign(kid), content: CONTENT.profane }), 422, 'RECEIPT_INVALID');
    const unknown = expectError(await verify({ receipt: await sign('kid-nobody-has'), content: CONTENT.profane }), 422, 'RECEIPT_INVALID');
    expect(unknown.details).toEqual({ kid: 'kid-nobody-has' });
    expectError(await verify({ receipt: 'garbage', content: CONTENT.profane }), 422, 'RECEIPT_INVALID');
  });

  it('refuses an expired receipt', async () => {
    let now = new Date();
    const timed = await buildGatehouse(database().db, { now: () => now, env: { GATEHOUSE_RECEIPT_TTL_SECONDS: '60' } });
    const res = await evaluate(timed.app, { content: CONTENT.pass, stage: 't-enforced' });
    const body = { receipt: res.body.receipt, content: CONTENT.pass };
    expect((await request(timed.app).post('/v1/receipts/verify').set(auth(EVALUATOR_KEY)).send(body)).status).toBe(200);
    now = new Date(now.getTime() + 61_000);
    expectError(await request(timed.app).post('/v1/receipts/verify').set(auth(EVALUATOR_KEY)).send(body), 422, 'RECEIPT_EXPIRED');
    await timed.close();
  });

  it('publishes the public key, and only it, at /.well-known/jwks.json without a key', async () => {
    const { receipt } = await enforcedFail();
    const res = await request(gh.app).get('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    conforms(Jwks, res.body);
    expect(res.body.keys.map((k: { kid: string }) => k.kid)).toContain(decodeProtectedHeader(receipt).kid);
    for (const key of res.body.keys) {
      expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
  });
});

describe('audit store failures', () => {
  it('issues a receipt only when the audit row is committed', async () => {
    let failing = true;
    const real = gh.stores.audit;
    const flaky = { ...real, insertMany: async (rows: AuditRow[]) => (failing ? Promise.reject(new Error('db down')) : real.insertMany(rows)) };
    // A short breaker reset, so that the outbox is replayed within the test once the store is back.
    const broken = await buildGatehouse(database().db, { stores: { audit: flaky }, env: { GATEHOUSE_AUDIT_BREAKER_RESET_MS: '50' } });

    const enforced = await evaluate(broken.app, { content: CONTENT.pass, stage: 't-enforced' });
    expect(enforced.status).toBe(200);
    expect(enforced.body).toMatchObject({ decision: 'PASS', audit_ok: false, allowed: false, receipt_id: null, error: { code: 'AUDIT_UNAVAILABLE' } });
    expect(enforced.body).not.toHaveProperty('receipt');
    conforms(EvaluateResponse, enforced.body);

    const advisory = await evaluate(broken.app, { content: CONTENT.profane, stage: 't-advisory' });
    expect(advisory.body).toMatchObject({ decision: 'FAIL', audit_ok: false, allowed: true, receipt_id: null });
    expect(advisory.body).not.toHaveProperty('receipt');
    expect(advisory.body.warnings.map((w: { code: string }) => w.code)).toContain('AUDIT_UNAVAILABLE');

    const off = await evaluate(broken.app, { content: CONTENT.pass, stage: 't-off' });
    expect(off.body).toMatchObject({ decision: 'SKIPPED', audit_ok: false, allowed: true });
    expect(off.body).not.toHaveProperty('receipt');

    const ids = [enforced.body.request_id, advisory.body.request_id, off.body.request_id];
    expect((await auditRows(ids)).length).toBe(0);
    expect((await request(broken.app).get('/metrics')).text).toMatch(/gatehouse_audit_write_failures_total 3/);

    // The rows were kept in the outbox: replayed once the store is back, recording what was answered.
    failing = false;
    await expect.poll(async () => (await auditRows(ids)).length, { timeout: 5_000 }).toBe(3);
    // The replay was the breaker's probe: it closes once the whole outbox is through.
    await expect.poll(async () => (await request(broken.app).get('/metrics')).text, { timeout: 5_000 }).toMatch(/gatehouse_audit_breaker_state\{state="closed"\} 1/);
    for (const row of (await auditRows(ids)) as AuditRow[]) {
      expect(row.receipt_id).toBeNull();
      expect(row.response).toMatchObject({ audit_ok: false, receipt_id: null });
    }
    const recovered = await evaluate(broken.app, { content: CONTENT.pass, stage: 't-enforced' });
    expect(recovered.body).toMatchObject({ audit_ok: true, allowed: true });
    expect(recovered.body.receipt).toEqual(expect.any(String));
    await broken.close();
  });
});

describe('kill switch and ceiling', () => {
  it('GATEHOUSE_KILL_SWITCH=1 serves every stage as off, and the receipt allows posting', async () => {
    const killed = await buildGatehouse(database().db, { env: { GATEHOUSE_KILL_SWITCH: '1' } });
    const res = await evaluate(killed.app, { content: CONTENT.profane, stage: 't-enforced' });
    expect(res.body).toMatchObject({ mode: 'off', decision: 'SKIPPED', allowed: true, checks: [], audit_ok: true });
    const verified = await request(killed.app).post('/v1/receipts/verify').set(auth(EVALUATOR_KEY)).send({ receipt: res.body.receipt, content: CONTENT.profane });
    expect(verified.body).toMatchObject({ valid: true, allowed_to_post: true, claims: { mode: 'off', decision: 'SKIPPED' } });
    const stages = await request(killed.app).get('/v1/stages').set(auth(ADMIN_KEY));
    expect(stages.body.kill_switch).toBe(true);
    expect(stages.body.items.find((s: { stage: string }) => s.stage === 't-enforced')).toMatchObject({ mode: 'enforced', effective_mode: 'off' });
    await killed.close();
  });

  it('GATEHOUSE_MODE_CEILING=advisory evaluates and audits but never blocks', async () => {
    const capped = await buildGatehouse(database().db, { env: { GATEHOUSE_MODE_CEILING: 'advisory' } });
    const res = await evaluate(capped.app, { content: CONTENT.profane, stage: 't-enforced' });
    expect(res.body).toMatchObject({ mode: 'advisory', decision: 'FAIL', allowed: true, audit_ok: true });
    expect(res.body).not.toHaveProperty('error');
    expect((await auditRows([res.body.request_id]))[0]).toMatchObject({ mode: 'advisory', decision: 'FAIL', allowed: true });
    await capped.close();
  });
});

describe('evaluation time limit', () => {
  it('answers EVALUATION_TIMEOUT (503) when the engine takes too long, and writes no row', async () => {
    const slow = await buildGatehouse(database().db, {
      env: { GATEHOUSE_EVALUATION_TIMEOUT_MS: '20' },
      evaluate: () => new Promise(() => undefined),
    });
    const res = await evaluate(slow.app, { content: CONTENT.pass, stage: 't-enforced', workflow_id: 'wf-timeout' });
    expectError(res, 503, 'EVALUATION_TIMEOUT');
    expect(await database().db.knex('audit_events').where({ workflow_id: 'wf-timeout' })).toHaveLength(0);
    await slow.close();
  });
});
