// Timeouts and retries of the client against a tiny local HTTP server that fails, then succeeds.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { GatehouseClient, GatehouseError } from '../../client/index.js';
import { listen, type Listening } from './live.js';

type Reply = (req: IncomingMessage, res: ServerResponse) => void;

const servers: Listening[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A server answering its n-th request with replies[n] (the last one repeats); counts requests. */
async function scripted(replies: Reply[]): Promise<{ url: string; hits: () => number }> {
  let n = 0;
  const server = await listen((req, res) => {
    const reply = replies[Math.min(n++, replies.length - 1)]!;
    req.resume().on('end', () => reply(req, res));
  });
  servers.push(server);
  return { url: server.url, hits: () => n };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => (_req, res) => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
};
const unavailable = json(503, { error: { code: 'NOT_READY', message: 'starting', suggestedFix: 'wait', details: {} } });
const decision = json(200, { request_id: 'r-1', decision: 'PASS' });
const slow = (ms: number): Reply => (_req, res) => setTimeout(() => decision(_req, res), ms);

function client(url: string, extra: Partial<ConstructorParameters<typeof GatehouseClient>[0]> = {}) {
  return new GatehouseClient({ baseUrl: url, apiKey: 'k'.repeat(20), backoffMs: 5, maxBackoffMs: 20, ...extra });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e,
  );
}

const EVALUATE = { content: 'hello', stage: 'dev' };

describe('retries: idempotent calls only', () => {
  it('retries a GET on 503, then succeeds', async () => {
    const s = await scripted([unavailable, unavailable, decision]);
    expect(await client(s.url).getDecision('r-1')).toEqual({ request_id: 'r-1', decision: 'PASS' });
    expect(s.hits()).toBe(3);
  });

  it('retries verifyReceipt (a POST that changes nothing)', async () => {
    const s = await scripted([unavailable, json(200, { valid: true, allowed_to_post: true, claims: {} })]);
    expect(await client(s.url).verifyReceipt('r', 'hello')).toMatchObject({ valid: true });
    expect(s.hits()).toBe(2);
  });

  it('gives up after `retries` extra attempts with the last error, typed', async () => {
    const s = await scripted([unavailable]);
    const error = await rejection(client(s.url, { retries: 2 }).listStages());
    expect(error).toBeInstanceOf(GatehouseError);
    expect(error).toMatchObject({ code: 'NOT_READY', status: 503, suggestedFix: 'wait' });
    expect(s.hits()).toBe(3);
  });

  it('respects Retry-After on 429', async () => {
    const limited = json(429, { error: { code: 'RATE_LIMITED', message: 'slow down', suggestedFix: 'wait', details: {} } }, { 'Retry-After': '1' });
    const s = await scripted([limited, decision]);
    const started = Date.now();
    await client(s.url).getDecision('r-1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(s.hits()).toBe(2);
  });

  it('does not wait for a Retry-After longer than maxRetryAfterMs', async () => {
    const limited = json(429, { error: { code: 'RATE_LIMITED', message: 'slow down', suggestedFix: 'wait', details: {} } }, { 'Retry-After': '120' });
    const s = await scripted([limited, decision]);
    expect(await rejection(client(s.url).getDecision('r-1'))).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfterSeconds: 120 });
    expect(s.hits()).toBe(1);
  });

  it('never retries a 4xx other than 429', async () => {
    const s = await scripted([json(404, { error: { code: 'NOT_FOUND', message: 'no', suggestedFix: 'look', details: {} } }), decision]);
    expect(await rejection(client(s.url).getDecision('r-1'))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(s.hits()).toBe(1);
  });

  it('does not retry evaluate (it writes an audit row) …', async () => {
    const s = await scripted([unavailable, decision]);
    expect(await rejection(client(s.url).evaluate(EVALUATE))).toMatchObject({ code: 'NOT_READY', status: 503 });
    expect(s.hits()).toBe(1);
  });

  it('… unless the caller declares it idempotent', async () => {
    const s = await scripted([unavailable, decision]);
    expect(await client(s.url).evaluate(EVALUATE, { idempotent: true })).toMatchObject({ decision: 'PASS' });
    expect(s.hits()).toBe(2);
  });

  it('does not retry reportAgentRun or pinStage', async () => {
    const s = await scripted([unavailable]);
    const c = client(s.url);
    await rejection(c.reportAgentRun({ workflow_id: 'w', agent: 'a', start_ms: 1, end_ms: 2, success: true }));
    await rejection(c.pinStage('dev', { pack: 'qa', version: '2.0.0' }));
    expect(s.hits()).toBe(2);
  });
});

describe('timeouts and network errors', () => {
  it('times out an attempt after timeoutMs (TIMEOUT), and retries it when idempotent', async () => {
    const s = await scripted([slow(1_000), slow(1_000), decision]);
    const started = Date.now();
    expect(await client(s.url, { timeoutMs: 100 }).getDecision('r-1')).toMatchObject({ decision: 'PASS' });
    expect(s.hits()).toBe(3);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('reports TIMEOUT when every attempt is too slow', async () => {
    const s = await scripted([slow(1_000)]);
    const error = await rejection(client(s.url, { timeoutMs: 50, retries: 1 }).evaluate(EVALUATE, { timeoutMs: 80 }));
    expect(error).toMatchObject({ code: 'TIMEOUT', status: 0, details: { timeout_ms: 80 } });
    expect((error as GatehouseError).suggestedFix).toMatch(/timeoutMs/);
    expect(s.hits()).toBe(1);
  });

  it('reports NETWORK_ERROR when nothing listens, after the retries', async () => {
    const s = await scripted([decision]);
    const url = s.url;
    await servers.pop()!.close();
    const error = await rejection(client(url, { retries: 1 }).listStages());
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
  });

  it('reports UNEXPECTED_RESPONSE for an answer without the error shape (a proxy page)', async () => {
    const s = await scripted([(_req, res) => res.writeHead(502, { 'Content-Type': 'text/html' }).end('<h1>Bad gateway</h1>')]);
    const error = await rejection(client(s.url, { retries: 1 }).listStages());
    expect(error).toMatchObject({ code: 'UNEXPECTED_RESPONSE', status: 502, details: { body: '<h1>Bad gateway</h1>' } });
    expect(s.hits()).toBe(2);
  });

  it('rejects with the caller’s abort reason and does not retry it', async () => {
    const s = await scripted([slow(1_000)]);
    const controller = new AbortController();
    const call = client(s.url).getDecision('r-1', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user left')), 50);
    expect(await rejection(call)).toMatchObject({ message: 'user left' });
    expect(s.hits()).toBe(1);
  });
});
