/**
 * Issue 13, finding 7: bad client input got a 5xx, or Node's bare 400/431 instead of the
 * error shape. Each case of the finding, against a real server (server/http/connections.ts
 * around the composed app) and PostgreSQL, on raw sockets where the HTTP itself is the
 * attack: every answer is a 4xx in the one error shape, with a suggestedFix.
 */
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gatehouse } from '../../../server/compose.js';
import { createConfig } from '../../../server/config.js';
import { createHttpServer } from '../../../server/http/connections.js';
import { useDatabase } from '../../helpers/databases.js';
import { ADMIN_KEY, EVALUATOR_KEY, buildGatehouse } from '../api/harness.js';
import { listenServer } from './listen-server.js';
import { rawExchange, send, type Listening, type RawResponse } from './raw-http.js';

const FROZEN_PACK = path.resolve(import.meta.dirname, '../../fixtures/packs/qa-1.0.0');
const database = useDatabase('postgres');
let gh: Gatehouse;
let server: Listening;

beforeAll(async () => {
  const env = { GATEHOUSE_RULES_DIR: FROZEN_PACK, GATEHOUSE_REQUEST_TIMEOUT_MS: '1000', GATEHOUSE_HEADERS_TIMEOUT_MS: '1000' };
  gh = await buildGatehouse(database().db, { env });
  server = await listenServer(createHttpServer(gh.app, createConfig(env).http, pino({ level: 'silent' })));
});

afterAll(async () => {
  await server?.close();
  await gh?.close();
});

const admin = { Authorization: `Bearer ${ADMIN_KEY}` };
const evaluator = { Authorization: `Bearer ${EVALUATOR_KEY}` };

function expectShape(res: Pick<RawResponse, 'status' | 'text'>, status: number, code: string): void {
  if (res.status !== status) throw new Error(`expected ${status} ${code}, got ${res.status} ${res.text.slice(0, 300)}`);
  const body = JSON.parse(res.text) as { error: { code: string; message: string; suggestedFix: string; details: unknown } };
  expect(body.error.code).toBe(code);
  expect(body.error.message).toEqual(expect.any(String));
  expect(body.error.suggestedFix).toEqual(expect.any(String));
  expect(body.error).toHaveProperty('details');
}

/** A raw exchange's status line and body, parsed. */
function parseRaw(raw: string): RawResponse {
  const match = /^HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(raw);
  if (!match) throw new Error(`not an HTTP response: ${JSON.stringify(raw.slice(0, 200))}`);
  const headers: Record<string, string> = {};
  for (const line of match[2]!.split('\r\n')) {
    const at = line.indexOf(':');
    headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
  }
  return { status: Number(match[1]), headers, text: match[3]! };
}

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('finding 7: every bad input is a 4xx in the error shape', () => {
  it('an /v1/audit cursor that decodes to ["1","x"] (and other well-formed JSON that is no cursor) → 400 INVALID_REQUEST', async () => {
    for (const cursor of [['1', 'x'], ['2026-01-01T00:00:00Z', 'a\u0000b'], ['not a date', 'x'], [1, 2], { a: 1 }, 'x', null]) {
      const res = await send(server, { method: 'GET', path: `/v1/audit?cursor=${cursorOf(cursor)}`, headers: admin });
      expectShape(res, 400, 'INVALID_REQUEST');
    }
  });

  it('a request_id containing NUL → 400 INVALID_REQUEST (decisions and audit filters)', async () => {
    expectShape(await send(server, { method: 'GET', path: '/v1/decisions/abc%00def', headers: evaluator }), 400, 'INVALID_REQUEST');
    expectShape(await send(server, { method: 'GET', path: '/v1/audit?workflow_id=a%00b', headers: admin }), 400, 'INVALID_REQUEST');
    expectShape(await send(server, { method: 'GET', path: '/v1/audit?code=a%00b', headers: admin }), 400, 'INVALID_REQUEST');
  });

  it('an out-of-range date → 400 INVALID_REQUEST', async () => {
    for (const date of ['275760-09-14T00:00:00Z', '+275761-01-01T00:00:00Z', '0000-00-00T00:00:00Z', '2026-02-31T00:00:00Z', '9999-12-31T23:59:60Z', '10000-01-01T00:00:00Z']) {
      const res = await send(server, { method: 'GET', path: `/v1/audit?from=${encodeURIComponent(date)}`, headers: admin });
      expectShape(res, 400, 'INVALID_REQUEST');
    }
  });

  it('POST /v1/agent-runs with start_ms 1e20 (and other numbers past any date) → 400 INVALID_REQUEST', async () => {
    for (const [start, end] of [[1e20, 1e20], [0, 1e20], [8.64e15 + 1, 8.64e15 + 2], [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]]) {
      const body = JSON.stringify({ workflow_id: 'wf-1', agent: 'a', status: 'succeeded', start_ms: start, end_ms: end });
      const res = await send(server, { method: 'POST', path: '/v1/agent-runs', headers: { ...evaluator, 'Content-Type': 'application/json' }, body });
      expectShape(res, 400, 'INVALID_REQUEST');
    }
  });

  it('bad JSON bodies → 400 INVALID_REQUEST', async () => {
    for (const body of ['{', '{"content": "x",}', '\u0000', '[1,2', '{"a":1}{"b":2}']) {
      const res = await send(server, { method: 'POST', path: '/v1/evaluate', headers: { ...evaluator, 'Content-Type': 'application/json' }, body });
      expectShape(res, 400, 'INVALID_REQUEST');
    }
  });

  it('a Content-Length longer than the body sent → 408 REQUEST_TIMEOUT in the error shape, within the request timeout', async () => {
    const t = performance.now();
    const raw = await rawExchange(
      server.port,
      `POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${EVALUATOR_KEY}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"content":"hi"`,
      10_000,
    );
    expect(performance.now() - t).toBeLessThan(9_000);
    expectShape(parseRaw(raw), 408, 'REQUEST_TIMEOUT');
  });

  it('a Content-Length shorter than the body sent: the rest is not a request → 400 INVALID_REQUEST in the error shape', async () => {
    const raw = await rawExchange(
      server.port,
      `POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${EVALUATOR_KEY}\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{"content":"hello","stage":"x"}`,
      3_000,
    );
    // The first five bytes are the (bad JSON) body; what follows is garbage for the parser.
    const responses = raw.split(/(?=HTTP\/1\.1 )/).map(parseRaw);
    expect(responses.length).toBeGreaterThanOrEqual(1);
    for (const res of responses) expect(res.status).toBeGreaterThanOrEqual(400);
    for (const res of responses) expect(res.status).toBeLessThan(500);
    for (const res of responses) expectShape(res, res.status, JSON.parse(res.text).error.code);
  });

  it('a 20 kB header → 431 HEADERS_TOO_LARGE in the error shape', async () => {
    const raw = await rawExchange(server.port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 3_000);
    expectShape(parseRaw(raw), 431, 'HEADERS_TOO_LARGE');
  });

  it('malformed HTTP → 400 INVALID_REQUEST in the error shape', async () => {
    const raw = await rawExchange(server.port, 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', 3_000);
    expectShape(parseRaw(raw), 400, 'INVALID_REQUEST');
  });

  it('the server still answers /healthz', async () => {
    expect((await send(server, { method: 'GET', path: '/healthz' })).status).toBe(200);
  });
});
