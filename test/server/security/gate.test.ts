/**
 * No way around the gate (HTTP side): nothing secret in any log line, a rate limit per key,
 * security headers on every answer, and no CORS unless configured (then exactly as configured).
 * Constant-time key comparison: constant-time.test.ts; receipts and key rotation:
 * receipt-keys.test.ts; append-only tables: test/server/db/migrations.test.ts.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gatehouse } from '../../../server/compose.js';
import { safeErrorSerializer } from '../../../server/logger.js';
import { useDatabase } from '../../helpers/databases.js';
import { ADMIN_KEY, CONTENT, EVALUATOR_KEY, auth, buildGatehouse, evaluate, expectError, pin } from '../api/harness.js';

const database = useDatabase('pglite');
const logLines: string[] = [];
let gh: Gatehouse;

beforeAll(async () => {
  gh = await buildGatehouse(database().db, { logSink: logLines });
  for (const mode of ['off', 'advisory', 'enforced']) expect((await pin(gh.app, `g-${mode}`, { mode })).status).toBeLessThan(300);
});
afterAll(() => gh?.close());

describe('no key, content or receipt in any log line', () => {
  it('across evaluations, verifications, refusals and auth failures', async () => {
    const marker = (n: number) => `quokka-${n}-confidential-draft-text`;
    const wrongKey = 'wrong-key-zanzibar-0123456789abcdef';
    const receipts: string[] = [];
    const from = logLines.length;

    for (const [i, stage] of ['g-off', 'g-advisory', 'g-enforced'].entries()) {
      const res = await evaluate(gh.app, { content: `${marker(i)} ${CONTENT.profane}`, stage, workflow_id: 'wf-logs' });
      expect(res.status).toBe(200);
      receipts.push(res.body.receipt as string);
    }
    const thread = await evaluate(gh.app, { content: [`1/2 ${marker(3)}`, `2/2 ${CONTENT.threat}`], stage: 'g-enforced' });
    receipts.push(thread.body.receipt as string);
    const verify = (body: Record<string, unknown>) => request(gh.app).post('/v1/receipts/verify').set(auth(EVALUATOR_KEY)).send(body);
    expect((await verify({ receipt: receipts[1], content: `${marker(1)} ${CONTENT.profane}` })).status).toBe(200);
    expectError(await verify({ receipt: receipts[1], content: marker(4) }), 422, 'RECEIPT_CONTENT_MISMATCH');
    const [h, p] = receipts[2]!.split('.');
    expectError(await verify({ receipt: `${h}.${p}.${'A'.repeat(86)}`, content: marker(5) }), 422, 'RECEIPT_INVALID');
    expectError(await verify({ receipt: `${marker(6)}.x.y`, content: marker(6) }), 422, 'RECEIPT_INVALID');
    expectError(await evaluate(gh.app, { content: marker(7), stage: 'g-advisory', colour: marker(7) }), 400, 'INVALID_REQUEST');
    expectError(await evaluate(gh.app, { content: Array(101).fill(marker(8)), stage: 'g-advisory' }), 413, 'PAYLOAD_TOO_LARGE');
    expectError(await evaluate(gh.app, { content: marker(9), stage: 'never-pinned' }), 404, 'STAGE_NOT_FOUND');
    expectError(await evaluate(gh.app, { content: marker(10), stage: 'g-advisory' }, wrongKey), 401, 'UNAUTHORIZED');
    expectError(await request(gh.app).get('/v1/stages').set('Authorization', `Basic ${wrongKey}`), 401, 'UNAUTHORIZED');
    expectError(await request(gh.app).get('/v1/audit').set(auth(EVALUATOR_KEY)), 403, 'FORBIDDEN');
    expect((await request(gh.app).get('/v1/audit?workflow_id=wf-logs').set(auth(ADMIN_KEY))).status).toBe(200);
    // A 5xx: the engine fails with the content in its message (as a third-party library might).
    const broken = await buildGatehouse(database().db, {
      logSink: logLines,
      evaluate: async (_pack, input) => {
        throw new Error(`engine exploded on ${JSON.stringify(input.content)}`);
      },
    });
    const exploded = await evaluate(broken.app, { content: marker(11), stage: 'g-enforced' });
    expectError(exploded, 500, 'INTERNAL');
    expect(exploded.text).not.toContain(marker(11));
    await broken.close();

    const lines = logLines.slice(from);
    const all = lines.join('\n');
    // The capture works: one decision line per evaluation and one line per refused request.
    expect(lines.filter((l) => l.includes('"msg":"decision"'))).toHaveLength(4);
    expect(lines.filter((l) => l.includes('"statusCode":401'))).toHaveLength(2);
    expect(all).toContain('"level":50'); // the 500 was logged, at error level
    for (const secret of [EVALUATOR_KEY, ADMIN_KEY, wrongKey, ...Array.from({ length: 12 }, (_, i) => marker(i)), ...receipts]) {
      expect(all, `a log line contains ${secret.slice(0, 40)}…`).not.toContain(secret);
    }
    for (const receipt of receipts) for (const part of receipt.split('.').slice(1)) expect(all).not.toContain(part);
  });
});

describe('the error serializer of every logger', () => {
  it('keeps what operators need (type, code, frames, connectivity and disk messages) and drops messages that may quote input', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const full = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: 'ENOSPC' });
    const pg = Object.assign(new Error('invalid input syntax for type json'), { code: '22P02', detail: 'Token "quokka-secret" is invalid.' });
    expect(safeErrorSerializer(refused)).toMatchObject({ type: 'Error', code: 'ECONNREFUSED', message: refused.message, stack: expect.stringMatching(/^\s+at /) });
    expect(safeErrorSerializer(full).message).toBe(full.message);
    expect(safeErrorSerializer(new Error('Connection terminated unexpectedly')).message).toBe('Connection terminated unexpectedly');
    const serialized = JSON.stringify(safeErrorSerializer(pg));
    expect(serialized).not.toContain('quokka-secret');
    expect(serialized).toContain('22P02');
    const wrapped = safeErrorSerializer(new Error('outer', { cause: new Error('inner quokka-secret') }));
    expect(JSON.stringify(wrapped)).not.toContain('quokka-secret');
    expect(wrapped.cause?.message).toMatch(/^\[redacted: may hold request data; sha256 [0-9a-f]{12}\]$/);
  });
});

describe('rate limit per key', () => {
  let limited: Gatehouse;
  beforeAll(async () => {
    limited = await buildGatehouse(database().db, { env: { GATEHOUSE_RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(() => limited?.close());

  it('429 RATE_LIMITED with Retry-After and RateLimit headers; other keys unaffected; unauthenticated calls spend nothing', async () => {
    // Requests without a valid key are refused before the limiter: they cannot exhaust someone's budget.
    for (let i = 0; i < 5; i++) expectError(await request(limited.app).get('/v1/packs').set(auth('not-a-key-0123456789')), 401, 'UNAUTHORIZED');
    for (let i = 0; i < 3; i++) {
      const ok = await request(limited.app).get('/v1/packs').set(auth(EVALUATOR_KEY));
      expect(ok.status).toBe(200);
      expect(ok.headers['ratelimit-policy']).toMatch(/^3;w=60/);
    }
    // Over the limit, even a body past the size limit gets 429 (the body is never read).
    const res = await request(limited.app).post('/v1/evaluate').set(auth(EVALUATOR_KEY)).send({ content: 'x'.repeat(400 * 1024), stage: 'g-advisory' });
    const error = expectError(res, 429, 'RATE_LIMITED');
    const retryAfter = Number(res.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(error.details).toMatchObject({ limit_per_minute: 3, retry_after_seconds: retryAfter });
    expect(res.headers['ratelimit']).toMatch(/remaining=0/);
    expect((await request(limited.app).get('/v1/packs').set(auth(ADMIN_KEY))).status).toBe(200);
  });
});

describe('security headers on every kind of answer (helmet\'s defaults, computed once: http/security-headers.ts)', () => {
  it.each([
    ['a public route', () => request(gh.app).get('/healthz')],
    ['an API answer', () => request(gh.app).get('/v1/packs').set(auth(EVALUATOR_KEY))],
    ['a 401', () => request(gh.app).get('/v1/packs')],
    ['a 400 for malformed JSON', () => request(gh.app).post('/v1/evaluate').set(auth(EVALUATOR_KEY)).set('Content-Type', 'application/json').send('{')],
    ['a 404', () => request(gh.app).get('/nowhere')],
    ['the HTML API reference', () => request(gh.app).get('/docs')],
  ])('%s', async (_name, call) => {
    const res = await call();
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'x-dns-prefetch-control': 'off',
      'x-permitted-cross-domain-policies': 'none',
      'strict-transport-security': expect.stringMatching(/max-age=\d+/),
    });
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['server']).toBeUndefined();
  });

  // A CSP governs what a rendered document may load and run. JSON answers are never rendered (and
  // nosniff, above, stops a browser from sniffing one into HTML), so since issue 14 only the HTML
  // pages carry one: the API reference helmet's default policy, the dashboard its own stricter one.
  it('Content-Security-Policy on the HTML pages, none on JSON answers', async () => {
    const docs = await request(gh.app).get('/docs');
    expect(docs.headers['content-type']).toMatch(/^text\/html/);
    expect(docs.headers['content-security-policy']).toMatch(/default-src 'self'.*frame-ancestors 'self'/);
    expect(docs.headers['content-security-policy']).toContain("object-src 'none'");
    expect(docs.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    const dashboard = await request(gh.app).get('/dashboard');
    expect(dashboard.headers['content-security-policy']).toContain("default-src 'self'");
    expect(dashboard.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    for (const res of [await request(gh.app).get('/v1/packs').set(auth(EVALUATOR_KEY)), await request(gh.app).get('/v1/packs'), await request(gh.app).get('/nowhere')]) {
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['content-security-policy']).toBeUndefined();
    }
  });
});

describe('CORS', () => {
  const preflight = (app: Gatehouse['app'], origin: string) =>
    request(app).options('/v1/evaluate').set('Origin', origin).set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'authorization,content-type');
  const corsHeaders = (res: request.Response) => Object.keys(res.headers).filter((h) => h.startsWith('access-control-'));

  it('not configured: no Access-Control-* header on any answer, preflights included', async () => {
    const answers = [
      await preflight(gh.app, 'https://app.example'),
      await request(gh.app).get('/healthz').set('Origin', 'https://app.example'),
      await evaluate(gh.app, { content: 'hello', stage: 'g-advisory' }).set('Origin', 'https://app.example'),
      await request(gh.app).get('/.well-known/jwks.json').set('Origin', 'https://app.example'),
    ];
    for (const res of answers) expect(corsHeaders(res)).toEqual([]);
    expect(answers[0]!.status).toBe(401); // the preflight is just an unauthenticated request
  });

  it('configured: only the listed origins, no credentials, Vary: Origin', async () => {
    const withCors = await buildGatehouse(database().db, { env: { GATEHOUSE_CORS_ORIGINS: 'https://app.example,https://ops.example' } });
    try {
      const ok = await preflight(withCors.app, 'https://ops.example');
      expect(ok.status).toBe(204);
      expect(ok.headers['access-control-allow-origin']).toBe('https://ops.example');
      expect(ok.headers['access-control-allow-methods']).toContain('POST');
      expect(ok.headers['access-control-allow-headers']).toBe('authorization,content-type');
      expect(ok.headers['access-control-allow-credentials']).toBeUndefined();
      expect(ok.headers['vary']).toMatch(/Origin/);

      const evil = await preflight(withCors.app, 'https://evil.example');
      expect(evil.headers['access-control-allow-origin']).toBeUndefined();
      const actual = await evaluate(withCors.app, { content: 'hello', stage: 'g-advisory' }).set('Origin', 'https://app.example');
      expect(actual.status).toBe(200);
      expect(actual.headers['access-control-allow-origin']).toBe('https://app.example');
      const other = await evaluate(withCors.app, { content: 'hello', stage: 'g-advisory' }).set('Origin', 'https://app.example.evil.com');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      expect(other.headers['access-control-allow-origin']).not.toBe('*');
    } finally {
      await withCors.close();
    }
  });
});
