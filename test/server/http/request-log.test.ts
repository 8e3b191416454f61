import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { requestLine, requestLog } from '../../../server/http/request-log.js';
import { createLogger } from '../../../server/logger.js';

function app() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const server = express();
  server.use(requestLog(logger, { quiet: new Set(['/healthz']), ownLine: (req) => req.method === 'POST' && req.url === '/v1/evaluate' }));
  server.get('/healthz', (_req, res) => void res.json({ ok: true }));
  server.post('/v1/evaluate', (req, res) => {
    req.log.info({ decision: 'PASS' }, 'decision');
    res.json({ ok: true });
  });
  server.post('/v1/fails', (_req, res) => {
    res.locals.errorCode = 'STAGE_NOT_FOUND';
    res.status(404).json({ error: {} });
  });
  server.get('/v1/packs', (_req, res) => void res.json([]));
  return { server, lines, settle: () => new Promise((resolve) => setImmediate(resolve)) };
}

describe('request log', () => {
  it('a successful evaluation logs only its decision line, bound to the request id', async () => {
    const { server, lines, settle } = app();
    const res = await request(server).post('/v1/evaluate').set('X-Request-Id', 'req-123');
    await settle();
    expect(res.headers['x-request-id']).toBe('req-123');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'decision', decision: 'PASS', req: { id: 'req-123' } });
  });

  it('other answers log one completion line, errors at warn with their code; probes none', async () => {
    const { server, lines, settle } = app();
    await request(server).get('/healthz');
    const ok = await request(server).get('/v1/packs').set('X-Request-Id', 'bad id with spaces');
    await request(server).post('/v1/fails');
    await settle();
    expect(ok.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ msg: 'request completed', level: 30, req: { method: 'GET', url: '/v1/packs', id: ok.headers['x-request-id'] }, res: { statusCode: 200 } });
    expect(lines[1]).toMatchObject({ msg: 'request completed', level: 40, res: { statusCode: 404 }, error_code: 'STAGE_NOT_FOUND' });
  });

  it("a request line is the text req.log writes for the same fields, with gatehouse's redaction", async () => {
    const raw: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        raw.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const logger = createLogger('info', sink);
    const line = requestLine(logger);
    const server = express();
    server.use(requestLog(logger, { quiet: new Set(), ownLine: () => true }));
    server.post('/v1/evaluate', (req, res) => {
      const fields = { request_id: 'r-1', stage: 'prod', mode: 'advisory', decision: 'FAIL', allowed: true, audit_ok: true, latency_ms: 1.25, content: 'secret', receipt: null };
      req.log.info(fields, 'decision');
      line(req, fields, 'decision');
      res.json({ ok: true });
    });
    await request(server).post('/v1/evaluate').set('X-Request-Id', 'req-"quoted"').expect(200);
    await request(server).post('/v1/evaluate').set('X-Request-Id', 'req-9');
    await new Promise((resolve) => setImmediate(resolve));
    const untimed = raw.map((l) => l.replace(/"time":\d+/, '"time":0'));
    expect(untimed).toHaveLength(4);
    expect(untimed[1]).toBe(untimed[0]);
    expect(untimed[3]).toBe(untimed[2]);
    expect(JSON.parse(untimed[2]!)).toMatchObject({ service: 'gatehouse', req: { id: 'req-9' }, content: '[redacted]', receipt: '[redacted]', msg: 'decision' });
  });
});

describe('req.log', () => {
  it("is each request's own child logger, bound to its id, and read from the requests' prototype", async () => {
    const { server } = app();
    const seen: { req: object; log: unknown }[] = [];
    server.get('/v1/seen', (req, res) => {
      seen.push({ req, log: req.log });
      res.json({});
    });
    await request(server).get('/v1/seen').set('X-Request-Id', 'one');
    await request(server).get('/v1/seen').set('X-Request-Id', 'two');
    expect(seen[0]!.log).not.toBe(seen[1]!.log);
    expect((seen[1]!.log as { bindings(): unknown }).bindings()).toEqual({ req: { id: 'two' } });
    expect(Object.getOwnPropertyDescriptor(seen[1]!.req, 'log')).toBeUndefined();
  });
});
