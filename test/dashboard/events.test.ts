// GET /v1/events over real HTTP: auth, the event payload (read with the client SDK's parser),
// heartbeats, and cleanup when a client goes away or the server shuts down.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnforcementEvent } from '../../client/enforcement-event.js';
import { createEventStreams } from '../../server/dashboard/events-router.js';
import type { Gatehouse } from '../../server/compose.js';
import { useDatabase } from '../helpers/databases.js';
import { ADMIN_KEY, CONTENT, EVALUATOR_KEY, auth, buildGatehouse, evaluate, pin } from '../server/api/harness.js';

async function listen(app: Express): Promise<{ server: Server; base: string }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Reads an event stream: next() resolves with the next text chunk that matches `until`. */
function streamReader(body: ReadableStream<Uint8Array>) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  return {
    async until(pattern: RegExp, timeoutMs = 5_000): Promise<RegExpExecArray> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(text);
        if (match) {
          text = text.slice(match.index + match[0].length);
          return match;
        }
        if (Date.now() > deadline) throw new Error(`no ${pattern} in the stream within ${timeoutMs} ms; got ${JSON.stringify(text)}`);
        const { value, done } = await Promise.race([reader.read(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('read timed out')), timeoutMs))]);
        if (done) throw new Error(`the stream ended before ${pattern}; got ${JSON.stringify(text)}`);
        text += value;
      }
    },
    async ended(): Promise<boolean> {
      for (;;) {
        const { done } = await reader.read();
        if (done) return true;
      }
    },
  };
}

describe('GET /v1/events', () => {
  const database = useDatabase('pglite');
  let gh: Gatehouse;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    gh = await buildGatehouse(database().db);
    await pin(gh.app, 'prod', { mode: 'enforced' });
    ({ server, base } = await listen(gh.app));
  });
  afterAll(async () => {
    gh.dashboard.streams.closeAll();
    await new Promise((resolve) => server.close(resolve));
    await gh.close();
  });

  it('needs an admin key in the Authorization header', async () => {
    const anonymous = await fetch(`${base}/v1/events`);
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).error).toMatchObject({ code: 'UNAUTHORIZED', suggestedFix: expect.any(String) });
    const evaluator = await fetch(`${base}/v1/events`, { headers: auth(EVALUATOR_KEY) });
    expect(evaluator.status).toBe(403);
    expect((await evaluator.json()).error.code).toBe('FORBIDDEN');
  });

  it('streams each answered decision as `event: enforcement` with the API field names', async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/v1/events`, { headers: auth(ADMIN_KEY), signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('cache-control')).toContain('no-cache');
    const stream = streamReader(res.body!);
    await stream.until(/: connected\n\n/);
    expect(gh.dashboard.streams.count()).toBe(1);

    const answer = (await evaluate(gh.app, { content: CONTENT.profane, stage: 'prod', workflow_id: 'wf-sse', agent: 'writer' })).body;
    const [block] = await stream.until(/event: enforcement\n[^]*?\n\n/);
    // The client SDK's parser reads it: the SDK's fields are all there.
    expect(parseEnforcementEvent(block)).toMatchObject({
      request_id: answer.request_id,
      receipt_id: answer.receipt_id,
      mode: 'enforced',
      qa_summary: { status: 'FAIL', allowed: false, stage: 'prod', error_code: 'QA_REJECTED' },
      audit_ok: true,
    });
    expect(block).toContain(`id: ${answer.request_id}\n`);
    const data = JSON.parse(/^data: (.*)$/m.exec(block)![1]!);
    expect(data).toMatchObject({
      request_id: answer.request_id,
      receipt_id: answer.receipt_id,
      stage: 'prod',
      mode: 'enforced',
      policy: answer.policy,
      decision: 'FAIL',
      allowed: false,
      audit_ok: true,
      violation_codes: ['PROFANITY'],
      error: { code: 'QA_REJECTED', message: answer.error.message, suggestedFix: answer.error.suggestedFix },
      workflow_id: 'wf-sse',
      agent: 'writer',
    });
    expect(Date.parse(data.created_at)).not.toBeNaN();
    for (const secretOrBulky of ['receipt', 'sanitized', 'content']) expect(data).not.toHaveProperty(secretOrBulky);

    const pass = (await evaluate(gh.app, { content: CONTENT.pass, stage: 'prod' })).body;
    const [second] = await stream.until(/event: enforcement\n[^]*?\n\n/);
    expect(JSON.parse(/^data: (.*)$/m.exec(second)![1]!)).toMatchObject({ request_id: pass.request_id, decision: 'PASS', error: null, workflow_id: null, agent: null });

    controller.abort();
    await expect.poll(() => gh.dashboard.streams.count()).toBe(0);
  });

  it('closeAll() ends every open stream (the shutdown path)', async () => {
    const res = await fetch(`${base}/v1/events`, { headers: auth(ADMIN_KEY) });
    const stream = streamReader(res.body!);
    await stream.until(/: connected\n\n/);
    gh.dashboard.streams.closeAll();
    expect(await stream.ended()).toBe(true);
    await expect.poll(() => gh.dashboard.streams.count()).toBe(0);
  });
});

describe('event stream heartbeats', () => {
  it('sends a comment line every heartbeat interval and stops when the client leaves', async () => {
    const streams = createEventStreams({ heartbeatMs: 40 });
    const app = express();
    app.use((_req, res, next) => {
      res.locals.caller = { id: 'k1', label: 'admin', role: 'admin' };
      next();
    });
    app.use(streams.router);
    const { server, base } = await listen(app);
    try {
      const controller = new AbortController();
      const res = await fetch(`${base}/v1/events`, { signal: controller.signal });
      const stream = streamReader(res.body!);
      await stream.until(/: heartbeat \S+\n\n/, 1_000);
      await stream.until(/: heartbeat \S+\n\n/, 1_000);
      expect(streams.count()).toBe(1);
      controller.abort();
      await expect.poll(() => streams.count()).toBe(0);
    } finally {
      streams.closeAll();
      // fetch keeps its connection alive for reuse; do not wait for its idle timeout.
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
