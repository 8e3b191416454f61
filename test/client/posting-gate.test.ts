// A real Express posting app behind requireReceipt, against a real gatehouse: each refusal, the accepted paths, the rate limit.
import express, { type Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GatehouseClient, RECEIPT_HEADER, WARNING_HEADER, requireReceipt, type PostingGateLocals, type RequireReceiptOptions,
} from '../../client/index.js';
import { useDatabase } from '../helpers/databases.js';
import { CONTENT } from '../server/api/harness.js';
import { listen, startGatehouse, type LiveGatehouse, type Listening } from './live.js';

const database = useDatabase('pglite');
let live: LiveGatehouse;
const apps: Listening[] = [];

beforeAll(async () => {
  live = await startGatehouse(database().db);
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await live?.close();
});

/** A posting service: POST /posts behind the gate; answers 201 with what the gate left for it. */
async function postingApp(options: Partial<RequireReceiptOptions>): Promise<string> {
  const app: Express = express();
  app.use(express.json());
  // The stages these tests evaluate on, and the pack default platform (x).
  const scope = { stages: ['t-off', 't-advisory', 't-enforced'], platforms: 'x' };
  app.post('/posts', requireReceipt({ userId: (req) => req.get('x-user') ?? undefined, ...scope, ...options } as RequireReceiptOptions), (_req, res) => {
    const gate = res.locals.gatehouse as PostingGateLocals;
    res.status(201).json({ posted: true, receipt_id: gate.receipt.claims.jti, warning: gate.warning ?? null });
  });
  const listening = await listen(app);
  apps.push(listening);
  return listening.url;
}

interface Posted {
  status: number;
  body: any;
  headers: Headers;
}

async function post(url: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Posted> {
  const res = await fetch(`${url}/posts`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

async function evaluated(content: string | string[], mode: 'off' | 'advisory' | 'enforced') {
  return live.client.evaluate({ content, stage: `t-${mode}` });
}

function expectRefusal(res: Posted, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error).toEqual({ code, message: expect.any(String), suggestedFix: expect.any(String), details: expect.anything() });
}

/** A real override receipt: an admin allows this enforced FAIL (POST /v1/overrides). */
async function overrideReceipt(content: string): Promise<string> {
  const blocked = await evaluated(content, 'enforced');
  const override = await live.admin.createOverride({ request_id: blocked.request_id, actor: 'ada', reason: 'Quoted in a news report; legal approved.' });
  expect(override).toMatchObject({ request_id: blocked.request_id, overridden_receipt_id: blocked.receipt_id, actor: 'ada' });
  return override.receipt;
}

describe.each([
  ['offline (JWKS) with a client for details', () => ({ jwks: live.client.jwksUrl, client: live.client })],
  ['online (client only: POST /v1/receipts/verify)', () => ({ client: live.client })],
])('requireReceipt, %s', (_name, gateOptions) => {
  let url: string;
  beforeAll(async () => {
    url = await postingApp({ ...gateOptions(), rateLimit: false });
  });

  it('refuses a post without a receipt: ENFORCEMENT_RECEIPT_REQUIRED (428)', async () => {
    expectRefusal(await post(url, { content: CONTENT.pass }), 428, 'ENFORCEMENT_RECEIPT_REQUIRED');
  });

  it('refuses a receipt for other content: RECEIPT_CONTENT_MISMATCH (422)', async () => {
    const answer = await evaluated(CONTENT.pass, 'enforced');
    expectRefusal(await post(url, { content: 'Edited after evaluation.', receipt: answer.receipt }), 422, 'RECEIPT_CONTENT_MISMATCH');
  });

  it('refuses a forged receipt: RECEIPT_INVALID (422)', async () => {
    const answer = await evaluated(CONTENT.profane, 'enforced');
    const [h, p, s] = answer.receipt!.split('.');
    const payload = { ...JSON.parse(Buffer.from(p!, 'base64url').toString()), decision: 'PASS' };
    const forged = [h, Buffer.from(JSON.stringify(payload)).toString('base64url'), s].join('.');
    expectRefusal(await post(url, { content: CONTENT.profane }, { [RECEIPT_HEADER]: forged }), 422, 'RECEIPT_INVALID');
  });

  it('refuses an expired receipt: RECEIPT_EXPIRED (422)', async () => {
    live.clock.shiftMs = -2 * 86_400_000;
    const answer = await evaluated(CONTENT.pass, 'enforced').finally(() => (live.clock.shiftMs = 0));
    expectRefusal(await post(url, { content: CONTENT.pass, receipt: answer.receipt }), 422, 'RECEIPT_EXPIRED');
  });

  it('refuses an enforced FAIL: QA_BLOCKED with the violations and required edits', async () => {
    const answer = await evaluated(CONTENT.profane, 'enforced');
    const res = await post(url, { content: CONTENT.profane, receipt: answer.receipt });
    expectRefusal(res, 422, 'QA_BLOCKED');
    expect(res.body.error.details).toMatchObject({
      request_id: answer.request_id, receipt_id: answer.receipt_id, mode: 'enforced', decision: 'FAIL', policy: 'qa@2.0.0',
      violations: answer.violations, required_edits: answer.required_edits,
    });
    expect(res.body.error.details.violations.map((v: { code: string }) => v.code)).toContain('PROFANITY');
    expect(res.body.error.message).toContain('QA_REJECTED');
    expect(res.body.error.suggestedFix).toBe(answer.error!.suggestedFix);
  });

  it('posts an enforced PASS, with no warning', async () => {
    const answer = await evaluated(CONTENT.pass, 'enforced');
    const res = await post(url, { content: CONTENT.pass, receipt: answer.receipt });
    expect(res).toMatchObject({ status: 201, body: { posted: true, receipt_id: answer.receipt_id, warning: null } });
    expect(res.headers.get(WARNING_HEADER)).toBeNull();
  });

  it('posts an advisory FAIL, with an X-Gatehouse-Warning header', async () => {
    const answer = await evaluated(CONTENT.profane, 'advisory');
    const res = await post(url, { content: CONTENT.profane }, { [RECEIPT_HEADER]: answer.receipt! });
    expect(res.status).toBe(201);
    expect(res.headers.get(WARNING_HEADER)).toMatch(/^FAIL under advisory mode, not blocked; receipt [0-9a-f-]{36}, stage t-advisory, qa@2\.0\.0$/);
    expect(res.body.warning).toBe(res.headers.get(WARNING_HEADER));
  });

  it('posts anything decided under off (what the kill switch turns every stage into)', async () => {
    const answer = await evaluated(CONTENT.threat, 'off');
    expect(answer.decision).toBe('SKIPPED');
    expect(await post(url, { content: CONTENT.threat, receipt: answer.receipt })).toMatchObject({ status: 201 });
  });

  it('refuses a post with no content: INVALID_REQUEST (400)', async () => {
    expectRefusal(await post(url, { receipt: 'x' }), 400, 'INVALID_REQUEST');
  });
});

describe('requireReceipt: overrides and offline-only refusals', () => {
  it('posts an enforced FAIL that carries an override receipt, with a warning', async () => {
    const url = await postingApp({ jwks: live.client.jwksUrl, rateLimit: false });
    const res = await post(url, { content: CONTENT.profane, receipt: await overrideReceipt(CONTENT.profane) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.headers.get(WARNING_HEADER)).toMatch(/^FAIL under enforced mode, posted on override receipt /);
  });

  it('without a client, QA_BLOCKED carries only the ids and codes of the receipt', async () => {
    const url = await postingApp({ jwks: await live.client.jwks(), rateLimit: false });
    const answer = await evaluated(CONTENT.profane, 'enforced');
    const res = await post(url, { content: CONTENT.profane, receipt: answer.receipt });
    expectRefusal(res, 422, 'QA_BLOCKED');
    expect(res.body.error.details).toEqual({
      request_id: answer.request_id, receipt_id: answer.receipt_id, stage: 't-enforced', mode: 'enforced', decision: 'FAIL', policy: 'qa@2.0.0',
    });
    expect(res.body.error.suggestedFix).toContain(`GET /v1/decisions/${answer.request_id}`);
  });

  it('fails closed (503 VERIFIER_UNAVAILABLE) when receipts cannot be checked', async () => {
    const down = await listen(() => undefined);
    await down.close();
    const offline = await postingApp({ jwks: `${down.url}/.well-known/jwks.json`, rateLimit: false });
    const online = await postingApp({ client: new GatehouseClient({ baseUrl: down.url, retries: 0 }), rateLimit: false });
    const answer = await evaluated(CONTENT.pass, 'enforced');
    for (const url of [offline, online]) {
      const res = await post(url, { content: CONTENT.pass, receipt: answer.receipt });
      expectRefusal(res, 503, 'VERIFIER_UNAVAILABLE');
      expect(res.headers.get('retry-after')).toBe('5');
    }
  });

  it('needs jwks or a client', () => {
    expect(() => requireReceipt({ stages: 'prod', platforms: 'x' })).toThrow(/jwks.*client/);
  });
});

describe('requireReceipt and the kill switch', () => {
  it('the kill switch unblocks posting at once, with no change to the posting app', async () => {
    const url = await postingApp({ jwks: live.client.jwksUrl, client: live.client, rateLimit: false });
    const blocked = await evaluated(CONTENT.profane, 'enforced');
    expectRefusal(await post(url, { content: CONTENT.profane, receipt: blocked.receipt }), 422, 'QA_BLOCKED');

    const engaged = await live.admin.setKillSwitch({ engaged: true, reason: 'client test: incident drill' });
    try {
      expect(engaged).toMatchObject({ engaged: true });
      expect(await live.admin.getKillSwitch()).toMatchObject({ engaged: true, state: { reason: 'client test: incident drill' } });
      const skipped = await evaluated(CONTENT.profane, 'enforced');
      expect(skipped).toMatchObject({ mode: 'off', decision: 'SKIPPED' });
      expect(await post(url, { content: CONTENT.profane, receipt: skipped.receipt })).toMatchObject({ status: 201 });
    } finally {
      await live.admin.setKillSwitch({ engaged: false, reason: 'client test: drill over' });
    }
    expect(await evaluated(CONTENT.profane, 'enforced')).toMatchObject({ mode: 'enforced', allowed: false });
  });
});

describe('requireReceipt: per-user posting rate limit', () => {
  it('allows 5 posts per 15 minutes per user by default, then RATE_LIMITED with Retry-After', async () => {
    const url = await postingApp({ jwks: live.client.jwksUrl });
    const answer = await evaluated(CONTENT.pass, 'enforced');
    const as = (user: string) => post(url, { content: CONTENT.pass, receipt: answer.receipt }, { 'x-user': user });
    for (let i = 0; i < 5; i++) expect((await as('ada')).status).toBe(201);

    const limited = await as('ada');
    expectRefusal(limited, 429, 'RATE_LIMITED');
    expect(limited.body.error.message).toBe('You can post 5 times every 15 minutes. Try again in 15 minutes.');
    expect(limited.body.error.details).toEqual({ limit: 5, window_seconds: 900, retry_after_seconds: expect.any(Number) });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(890);
    expect(retryAfter).toBeLessThanOrEqual(900);

    // Another user has their own allowance.
    expect((await as('grace')).status).toBe(201);
  });

  it('is configurable, and refused posts do not use up the allowance', async () => {
    const url = await postingApp({ jwks: live.client.jwksUrl, rateLimit: { limit: 2, windowMs: 60_000 } });
    const answer = await evaluated(CONTENT.pass, 'enforced');
    const as = (body: Record<string, unknown>) => post(url, body, { 'x-user': 'linus' });
    for (let i = 0; i < 3; i++) expect((await as({ content: CONTENT.pass })).status).toBe(428);
    expect((await as({ content: CONTENT.pass, receipt: answer.receipt })).status).toBe(201);
    expect((await as({ content: CONTENT.pass, receipt: answer.receipt })).status).toBe(201);
    const limited = await as({ content: CONTENT.pass, receipt: answer.receipt });
    expectRefusal(limited, 429, 'RATE_LIMITED');
    expect(limited.body.error.message).toMatch(/^You can post 2 times every 1 minute\. Try again in (1 minute|\d+ seconds)\.$/);
  });
});

/** 407 characters: over x's 280, under threads' 500. */
const LONG_POST = `${'Our garden planner now plans beds, rotations and watering schedules for a whole season. '.repeat(5)}`.slice(0, 406) + '!';

describe('requireReceipt posts only for its own stages and platforms (issue 13, finding 1)', () => {
  let prodX: string;
  beforeAll(async () => {
    // The same pack on three stages, as in the finding: enforced prod, advisory dev, off sandbox.
    await live.admin.pinStage('prod', { pack: 'qa', version: '2.0.0', mode: 'enforced' });
    await live.admin.pinStage('dev', { pack: 'qa', version: '2.0.0', mode: 'advisory' });
    await live.admin.pinStage('sandbox', { pack: 'qa', version: '2.0.0', mode: 'off' });
    prodX = await postingApp({ jwks: live.client.jwksUrl, client: live.client, rateLimit: false, stages: 'prod', platforms: 'x' });
  });

  it('a post that FAILs on enforced prod cannot be posted for prod on a dev (advisory) or sandbox (off) receipt', async () => {
    expect(await live.client.evaluate({ content: CONTENT.profane, stage: 'prod' })).toMatchObject({ decision: 'FAIL', allowed: false });
    for (const stage of ['dev', 'sandbox']) {
      const answer = await live.client.evaluate({ content: CONTENT.profane, stage });
      expect(answer.allowed).toBe(true);
      const res = await post(prodX, { content: CONTENT.profane, receipt: answer.receipt });
      expectRefusal(res, 422, 'RECEIPT_STAGE_MISMATCH');
      expect(res.body.error.details).toEqual({ expected: ['prod'], actual: stage, receipt_id: answer.receipt_id });
    }
    // The online gate refuses them the same way (the verify endpoint checks the stage).
    const online = await postingApp({ client: live.client, rateLimit: false, stages: 'prod', platforms: 'x' });
    const dev = await live.client.evaluate({ content: CONTENT.profane, stage: 'dev' });
    expectRefusal(await post(online, { content: CONTENT.profane, receipt: dev.receipt }), 422, 'RECEIPT_STAGE_MISMATCH');
  });

  it('a 407-character post that PASSes on threads cannot be posted to x', async () => {
    expect(LONG_POST).toHaveLength(407);
    const onX = await live.client.evaluate({ content: LONG_POST, stage: 'prod', platform: 'x' });
    expect(onX.decision).toBe('FAIL');
    const onThreads = await live.client.evaluate({ content: LONG_POST, stage: 'prod', platform: 'threads' });
    expect(onThreads).toMatchObject({ decision: 'PASS', allowed: true });
    const res = await post(prodX, { content: LONG_POST, receipt: onThreads.receipt });
    expectRefusal(res, 422, 'RECEIPT_PLATFORM_MISMATCH');
    expect(res.body.error.details).toMatchObject({ expected: ['x'], actual: 'threads' });
    // ...and posts to threads with it.
    const prodThreads = await postingApp({ jwks: live.client.jwksUrl, rateLimit: false, stages: 'prod', platforms: 'threads' });
    expect((await post(prodThreads, { content: LONG_POST, receipt: onThreads.receipt })).status).toBe(201);
  });

  it('a request without a platform is bound to the pack default platform (x)', async () => {
    const answer = await live.client.evaluate({ content: CONTENT.pass, stage: 'prod' });
    expect((await post(prodX, { content: CONTENT.pass, receipt: answer.receipt })).status).toBe(201);
  });

  it('an override receipt is bound to the blocked decision\'s stage and platform', async () => {
    const blocked = await live.client.evaluate({ content: CONTENT.profane, stage: 'prod', platform: 'threads' });
    const override = await live.admin.createOverride({ request_id: blocked.request_id, actor: 'ada', reason: 'Quoted in a news report; legal approved.' });
    expectRefusal(await post(prodX, { content: CONTENT.profane, receipt: override.receipt }), 422, 'RECEIPT_PLATFORM_MISMATCH');
  });

  it('fails closed: no gate without stages and platforms; \'any\' opens them explicitly', async () => {
    const base = { jwks: live.client.jwksUrl, rateLimit: false } as const;
    expect(() => requireReceipt({ ...base, platforms: 'x' } as unknown as RequireReceiptOptions)).toThrow(/requireReceipt needs `stages`/);
    expect(() => requireReceipt({ ...base, stages: 'prod' } as unknown as RequireReceiptOptions)).toThrow(/requireReceipt needs `platforms`/);
    expect(() => requireReceipt({ ...base, stages: [], platforms: 'x' })).toThrow(/stages/);
    const open = await postingApp({ ...base, stages: 'any', platforms: 'any' });
    const dev = await live.client.evaluate({ content: CONTENT.profane, stage: 'dev', platform: 'threads' });
    expect((await post(open, { content: CONTENT.profane, receipt: dev.receipt })).status).toBe(201);
  });

  it('picks the platform per request with a function; a post naming none is refused', async () => {
    const url = await postingApp({
      jwks: live.client.jwksUrl, rateLimit: false, stages: 'prod', platforms: (req) => (req.body as { platform?: string }).platform,
    });
    const onThreads = await live.client.evaluate({ content: LONG_POST, stage: 'prod', platform: 'threads' });
    expect((await post(url, { content: LONG_POST, platform: 'threads', receipt: onThreads.receipt })).status).toBe(201);
    expectRefusal(await post(url, { content: LONG_POST, platform: 'x', receipt: onThreads.receipt }), 422, 'RECEIPT_PLATFORM_MISMATCH');
    expectRefusal(await post(url, { content: LONG_POST, receipt: onThreads.receipt }), 400, 'INVALID_REQUEST');
  });
});
