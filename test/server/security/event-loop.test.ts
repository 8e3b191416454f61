/**
 * Issue 13, finding 2: one request froze the whole service. Four posts of "a." × 20,000
 * (160 kB) took 19 s, /healthz did not answer meanwhile, and the 2 s budget never fired.
 *
 * Against a real server (server/http/connections.ts around the composed app) and PostgreSQL:
 * long posts are evaluated in worker threads, so /healthz keeps answering, and an evaluation
 * past its budget is aborted (its worker terminated) and answered EVALUATION_TIMEOUT within
 * the budget plus 100 ms. The budget here is 25 ms, far below what 160 kB of text takes to
 * evaluate, so the timeout path is the one exercised (a decision within the budget would
 * also be a pass, as the issue allows).
 */
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gatehouse } from '../../../server/compose.js';
import { createConfig } from '../../../server/config.js';
import { createHttpServer, receivedAt } from '../../../server/http/connections.js';
import { useDatabase } from '../../helpers/databases.js';
import { ADMIN_KEY, EVALUATOR_KEY, buildGatehouse } from '../api/harness.js';
import { send, type Listening } from './raw-http.js';
import { listenServer } from './listen-server.js';

const BUDGET_MS = 25;
const FROZEN_PACK = path.resolve(import.meta.dirname, '../../fixtures/packs/qa-1.0.0');
const database = useDatabase('postgres');
let gh: Gatehouse;
let server: Listening;
/** The same, with the default 2 s budget. */
let ghDefault: Gatehouse;
let serverDefault: Listening;
/** Per X-Request-Id: ms from the request received to its answer written, on the server's clock. */
const serverTimes = new Map<string, number>();

/** A gatehouse on the shared database behind its own HTTP server, with the stage `loop` pinned and its workers warm. */
async function start(env: Record<string, string>): Promise<{ gh: Gatehouse; server: Listening }> {
  const built = await buildGatehouse(database().db, { env });
  const http = createHttpServer(built.app, createConfig(env).http, pino({ level: 'silent' }));
  // What the service controls: from the moment a request is received to the moment its answer is written.
  http.prependListener('request', (req, res) => {
    const id = req.headers['x-request-id'];
    if (req.url === '/v1/evaluate' && typeof id === 'string') res.once('finish', () => serverTimes.set(id, performance.now() - receivedAt(req)!));
  });
  const listening = await listenServer(http);
  const report = built.packs.report();
  const [qa] = report.published.concat(report.unchanged).filter((ref) => ref.startsWith('qa@'));
  if (!qa) throw new Error(`the frozen qa pack did not load: ${JSON.stringify(report)}`);
  const pinned = await send(listening, { method: 'PUT', path: '/v1/stages/loop', headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ pack: 'qa', version: qa.slice('qa@'.length), mode: 'enforced' }) });
  expect(pinned.status).toBeLessThan(300);
  // Production warms the workers at start (main.ts); a test app does it here, outside the timings.
  await built.warmEngine();
  // A fresh process validates its first 160 kB of strings ~100x slower than later ones: warm that
  // path with the same body sent to a stage that is not pinned (404 before the engine: no worker
  // is terminated, none is left recompiling during the timed part).
  for (let i = 0; i < 3; i++) {
    const res = await post(listening, Buffer.from(JSON.stringify({ content: Array.from({ length: 4 }, () => 'a.'.repeat(20_000)), stage: 'not-pinned', platform: 'x' })));
    expect(res.status).toBe(404);
  }
  return { gh: built, server: listening };
}

beforeAll(async () => {
  // A frozen pack: this test is about the runtime, not about today's rules.
  ({ gh, server } = await start({ GATEHOUSE_EVALUATION_TIMEOUT_MS: String(BUDGET_MS), GATEHOUSE_ENGINE_THREADS: '2', GATEHOUSE_RULES_DIR: FROZEN_PACK }));
  ({ gh: ghDefault, server: serverDefault } = await start({ GATEHOUSE_ENGINE_THREADS: '2', GATEHOUSE_RULES_DIR: FROZEN_PACK }));
}, 240_000);

afterAll(async () => {
  for (const listening of [server, serverDefault]) await listening?.close();
  for (const built of [gh, ghDefault]) await built?.close();
});

/** The request body, encoded ahead of the timings: this test's client shares the server's process. */
function bodyOf(content: unknown): Buffer {
  return Buffer.from(JSON.stringify({ content, stage: 'loop', platform: 'x' }));
}

/** POST /v1/evaluate with a body encoded already (a Buffer from bodyOf) or with this content. */
function post(target: Listening, content: unknown, id = 'untimed') {
  return send(target, {
    method: 'POST',
    path: '/v1/evaluate',
    headers: { Authorization: `Bearer ${EVALUATOR_KEY}`, 'Content-Type': 'application/json', 'X-Request-Id': id },
    body: Buffer.isBuffer(content) ? content : bodyOf(content),
  });
}

describe('finding 2: one hostile evaluation cannot stall the service', () => {
  it('four concurrent requests of four posts of "a." × 20,000 (160 kB each), budget 25 ms: /healthz answers within 200 ms throughout, each is EVALUATION_TIMEOUT within budget + 100 ms', async () => {
    const hostile = bodyOf(Array.from({ length: 4 }, () => 'a.'.repeat(20_000)));
    expect(hostile.length).toBeGreaterThan(160_000);
    let done = false;
    const health: number[] = [];
    const probe = (async () => {
      while (!done) {
        const t = performance.now();
        const res = await send(server, { method: 'GET', path: '/healthz' });
        health.push(performance.now() - t);
        expect(res.status).toBe(200);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const answers = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const t = performance.now();
        const res = await post(server, hostile, `hostile-${i}`);
        return { res, ms: performance.now() - t };
      }),
    );
    done = true;
    await probe;
    // A response's 'finish' can run after this process's client has read the answer.
    await expect.poll(() => serverTimes.size).toBeGreaterThanOrEqual(4);
    for (const [i, { res, ms }] of answers.entries()) {
      const served = serverTimes.get(`hostile-${i}`)!;
      expect(served).toEqual(expect.any(Number));
      // The client shares this process and, on a loaded CI machine, the CPU with the server: its
      // figure is bounded far below the 19 s of the finding and the default 2 s budget; the
      // budget + 100 ms bound is checked on the server's own clock (see serverTimes).
      expect(ms).toBeLessThan(2_000);
      if (res.status === 200) {
        expect(served).toBeLessThanOrEqual(BUDGET_MS + createConfig({}).auditSink.writeTimeoutMs);
      } else {
        expect(res.status).toBe(503);
        const body = JSON.parse(res.text) as { error: { code: string; suggestedFix: string; details: { limit_ms: number } } };
        expect(body.error.code).toBe('EVALUATION_TIMEOUT');
        expect(body.error.suggestedFix).toEqual(expect.any(String));
        expect(body.error.details.limit_ms).toBe(BUDGET_MS);
        expect(served).toBeLessThanOrEqual(BUDGET_MS + 100);
      }
    }
    expect(health.length).toBeGreaterThan(0);
    expect(Math.max(...health)).toBeLessThan(200);
    expect(gh.engine.stats().timedOut).toBeGreaterThan(0);
  });

  it('the issue\'s case with the default 2 s budget: four posts of "a." × 20,000 (160 kB) while /healthz is probed: /healthz within 200 ms, the answer a decision (within the engine budget plus the audit budget) or EVALUATION_TIMEOUT within budget + 100 ms', async () => {
    const hostile = bodyOf(Array.from({ length: 4 }, () => 'a.'.repeat(20_000)));
    let done = false;
    const health: number[] = [];
    const probe = (async () => {
      while (!done) {
        const t = performance.now();
        expect((await send(serverDefault, { method: 'GET', path: '/healthz' })).status).toBe(200);
        health.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const t = performance.now();
    const res = await post(serverDefault, hostile, 'default-budget');
    const ms = performance.now() - t;
    done = true;
    await probe;
    await expect.poll(() => serverTimes.has('default-budget')).toBe(true);
    const served = serverTimes.get('default-budget')!;
    const budget = createConfig({}).limits.evaluationTimeoutMs;
    // The issue measured 19 s here, with /healthz silent throughout.
    expect(ms).toBeLessThan(budget + 2_000);
    if (res.status === 200) {
      // A decision is answered after its audit row commits and its receipt is signed: the engine's
      // budget plus the audit's (GATEHOUSE_AUDIT_WRITE_TIMEOUT_MS, the audit part of the latency budget).
      expect(served).toBeLessThanOrEqual(budget + createConfig({}).auditSink.writeTimeoutMs);
      expect((JSON.parse(res.text) as { decision: string }).decision).toEqual(expect.any(String));
    } else {
      expect(res.status).toBe(503);
      expect((JSON.parse(res.text) as { error: { code: string } }).error.code).toBe('EVALUATION_TIMEOUT');
      expect(served).toBeLessThanOrEqual(budget + 100);
    }
    expect(health.length).toBeGreaterThan(0);
    expect(Math.max(...health)).toBeLessThan(200);
  });

  it('a short post is still evaluated inline after workers were terminated, with a decision and a receipt', async () => {
    const res = await post(server, 'Our spring collection lands Friday.');
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as { decision: string; receipt?: string };
    expect(body.decision).toEqual(expect.any(String));
    expect(body.receipt).toEqual(expect.any(String));
  });
});
