/**
 * Bad input gets a clear error, never a crash: random and hostile requests at every route of
 * the OpenAPI route table (a new route is covered as soon as it is published there).
 *
 * Every answer must be a 2xx (a valid but odd request, e.g. hostile text inside a valid
 * evaluate body, is a decision) or a 4xx in the one error shape; never a 5xx, never a stack
 * trace or a file path; an evaluation answered 200 must have its audit row committed
 * (a hostile string must not be able to fail the audit batch it shares with other
 * requests); nothing reaches Object.prototype; and the server still answers /healthz.
 *
 * fast-check runs with a fixed seed and a bounded number of runs per route so that CI is
 * deterministic and fast; a failure prints the shrunk counterexample and the seed.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, HTTP_STATUS, type ErrorCode } from '../../../contract/error-codes.js';
import type { Gatehouse } from '../../../server/compose.js';
import { MAX_REPORTED_PER_CHECK_AND_POST } from '../../../engine/violations.js';
import { MAX_JSON_DEPTH } from '../../../server/http/json-depth.js';
import { ROUTES, type RouteSpec } from '../../../server/ops/openapi.js';
import { useDatabase } from '../../helpers/databases.js';
import { ADMIN_KEY, EVALUATOR_KEY, buildGatehouse, evaluate, pin } from '../api/harness.js';
import { listen, rawExchange, send, type Listening, type RawRequest, type RawResponse } from './raw-http.js';

const SEED = 1234;
const RUNS_PER_ROUTE = 100;

const database = useDatabase('pglite');
let gh: Gatehouse;
let server: Listening;
let receipt: string;
const logLines: string[] = [];
const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();
const arrayPrototypeNames = Object.getOwnPropertyNames(Array.prototype).sort();

beforeAll(async () => {
  // These tests are about answers and their bounds, not time: a 240 kB body is evaluated in a
  // worker thread at nice +5 (docs/decisions/0011-engine-worker-pool.md), which on a machine
  // shared with other busy processes takes 2-4 s; the time limit has its own test (event-loop.test.ts).
  gh = await buildGatehouse(database().db, { logSink: logLines, env: { GATEHOUSE_EVALUATION_TIMEOUT_MS: '20000' } });
  for (const mode of ['off', 'advisory', 'enforced']) expect((await pin(gh.app, `hx-${mode}`, { mode })).status).toBeLessThan(300);
  expect((await pin(gh.app, 'hx-put', { mode: 'off' })).status).toBeLessThan(300);
  const answered = await evaluate(gh.app, { content: 'hello', stage: 'hx-enforced' });
  receipt = answered.body.receipt as string;
  expect(receipt).toEqual(expect.any(String));
  server = await listen(gh.app);
});

afterAll(async () => {
  await server?.close();
  await gh?.close();
});

// ---- what every answer must look like ---------------------------------------------------------

const LEAKS: [RegExp, string][] = [
  [/\n\s+at\s/, 'a stack frame'],
  [/\bat [^\s]+ \([^)]*:\d+:\d+\)/, 'a stack frame'],
  [/node_modules/, 'a module path'],
  [/\/(?:server|engine|dist)\/[\w/-]+\.(?:ts|js)\b/, 'a source file path'],
  [new RegExp(process.cwd().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'the working directory'],
  [/RangeError|TypeError|SyntaxError: |ReferenceError/, 'a JavaScript error name'],
];

function describeRequest(req: RawRequest): string {
  const body = req.body === undefined ? '' : Buffer.isBuffer(req.body) ? req.body.toString('latin1') : req.body;
  return `${req.method} ${req.path.slice(0, 300)} [${JSON.stringify(req.headers ?? {}).slice(0, 200)}] ${body.slice(0, 300)}${body.length > 300 ? `… (${body.length} chars)` : ''}`;
}

/** The contract of every answer; throws with the request and the answer on a breach. */
function checkAnswer(route: Pick<RouteSpec, 'method' | 'path'> | undefined, req: RawRequest, res: RawResponse): void {
  const fail = (why: string) => {
    throw new Error(`${why}\n  request: ${describeRequest(req)}\n  answer: ${res.status} ${res.text.slice(0, 500)}`);
  };
  if (res.status >= 500) fail(`a ${res.status} for client input`);
  if (res.status < 200 || (res.status >= 300 && res.status < 400)) fail(`unexpected status ${res.status}`);
  for (const [pattern, what] of LEAKS) if (pattern.test(res.text)) fail(`${what} leaked into the body`);
  if (res.status >= 400) {
    let body: { error?: { code?: unknown; message?: unknown; suggestedFix?: unknown; details?: unknown } };
    try {
      body = JSON.parse(res.text) as typeof body;
    } catch {
      return fail('an error answer that is not JSON');
    }
    const e = body.error;
    if (!e || typeof e.code !== 'string' || typeof e.message !== 'string' || typeof e.suggestedFix !== 'string' || !('details' in e)) {
      fail('not the error shape { error: { code, message, suggestedFix, details } }');
    }
    if (!(e!.code as string in ERROR_CODES)) fail(`unknown error code ${String(e!.code)}`);
    if (HTTP_STATUS[e!.code as ErrorCode] !== res.status) fail(`status ${res.status} does not match code ${String(e!.code)}`);
  }
  if (route?.path === '/v1/evaluate' && req.method === 'POST' && res.status === 200) {
    const body = JSON.parse(res.text) as { audit_ok?: unknown; decision?: unknown };
    // The database is up: a hostile but accepted input must not break the audit write.
    if (body.audit_ok !== true) fail('an accepted evaluation whose audit row was not written');
  }
}

// ---- hostile material -------------------------------------------------------------------------

const COMBINING = 'a' + '\u0301\u0336\u0338'.repeat(2_000);
const HOSTILE_STRINGS = [
  '\u202eevil\u202c txt.exe', '\u2066isolated\u2069 \u200f\u061c rtl', COMBINING, 'Z̸̢̛͚̙̱͓̗̼̯̓̽̌̆̓̍'.repeat(500),
  '\ud800', 'x\udfffy', 'tail\ud83d', '\udc00\ud800', '\u0000', 'nul\u0000byte', '\u200b\u200c\u200d\ufeff\u2060', '\uffff\ufffe\ufdd0',
  '__proto__', 'constructor', 'prototype', '<script>alert(1)</script>', "'; DROP TABLE audit_events; --", '${jndi:ldap://x/a}', '{{7*7}}',
  '../../../etc/passwd', '%00%ff', 'f\u200bu\u200bc\u200bk', 'ｆｕｃｋ', '🏳️‍🌈'.repeat(500), '1/'.repeat(5_000), 'x '.repeat(19_000),
  '\n'.repeat(20_000), '\r\n\t\v\f\u2028\u2029', 'a'.repeat(40_001), 'b'.repeat(300 * 1024), '', ' ', '-1', 'NaN', 'null', 'true',
];

const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 8 }) },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.constantFrom('\u0300', '\u0301', '\u034f', '\u202e', '\u202d', '\u2066', '\u200b', 'a', 'İ', 'ß', '\u0000', '\ud800'),
      minLength: 500,
      maxLength: 5_000,
    }),
  },
);

const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__', ''];

/** An own, enumerable property even for `__proto__`, so that JSON.stringify writes it as a key. */
function define(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

const POLLUTER = (): Record<string, unknown> =>
  define(define({}, '__proto__', { polluted: 'yes', isAdmin: true }), 'constructor', { prototype: { polluted: 'yes' } });

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(-0), fc.constant(1e308)) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.constant(null).map(POLLUTER) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 3_000 }).map((n) => Array.from({ length: n }, () => 'hi')) },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 2_000 }).map(nested) },
);

function nested(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/** Bodies that parse as JSON but go past JSON.stringify's or a validator's recursion. */
function deepJson(depth: number, inner = '1'): string {
  return `${'{"a":['.repeat(depth / 2)}${inner}${']}'.repeat(depth / 2)}`;
}

function validBody(route: RouteSpec): Record<string, unknown> {
  switch (`${route.method} ${route.path}`) {
    case 'post /v1/evaluate':
      return { content: ['1/2 hello there', '2/2 and goodbye'], stage: 'hx-advisory', workflow_id: 'wf', agent: 'a', platform: 'x', metadata: { k: 'v' } };
    case 'post /v1/receipts/verify':
      return { receipt, content: 'hello' };
    case 'put /v1/stages/{stage}':
      return { pack: 'qa', version: '2.0.0', mode: 'off' };
    case 'post /v1/agent-runs':
      return { workflow_id: 'wf', agent: 'a', start_ms: 1_000, end_ms: 2_000, success: false, failure_reason: 'x' };
    default:
      return {};
  }
}

function schemaKeys(route: RouteSpec): string[] {
  return Object.keys((route.body?.properties as Record<string, unknown> | undefined) ?? {});
}

type Mutation = { kind: 'set'; key: string; value: unknown } | { kind: 'delete'; key: string } | { kind: 'stage'; value: string };

function mutatedBody(route: RouteSpec): fc.Arbitrary<string> {
  const keys = [...schemaKeys(route), ...HOSTILE_KEYS];
  const key = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...(keys.length ? keys : HOSTILE_KEYS)) }, { weight: 1, arbitrary: hostileString });
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: hostileValue }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('stage' as const), value: fc.constantFrom('hx-off', 'hx-advisory', 'hx-enforced') }) },
  );
  return fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations) => {
    const body = validBody(route);
    for (const m of mutations) {
      if (m.kind === 'set') define(body, m.key, m.value);
      else if (m.kind === 'delete') delete body[m.key];
      else if ('stage' in body) body.stage = m.value;
    }
    return JSON.stringify(body);
  });
}

const fixedBodies = (route: RouteSpec): string[] => {
  const valid = validBody(route);
  const json = JSON.stringify(valid);
  const withKey = (key: string, value: string) => `${json.slice(0, -1)}${json.length > 2 ? ',' : ''}"${key}":${value}}`;
  return [
    '', ' ', 'null', 'true', '0', '"text"', '[]', '{}', '{', '{"a":', '{"a":1,}', "{'a':1}", '{"a":NaN}', '{"a":1e400}', '{"a":-0}',
    '\ufeff{}', '[1,2,3]', `[${json}]`, `${json}${json}`, `${json} trailing`,
    deepJson(10_000), deepJson(20_000, json), '['.repeat(100_000) + ']'.repeat(100_000), '['.repeat(200_000),
    withKey('__proto__', '{"polluted":"yes","isAdmin":true}'), withKey('constructor', '{"prototype":{"polluted":"yes"}}'),
    withKey('metadata', '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"}}'),
    withKey('metadata', deepJson(10_000)), withKey('metadata', `{"a":[${'"x",'.repeat(50_000)}"x"]}`),
    withKey('content', JSON.stringify(Array(101).fill('hi'))), withKey('content', JSON.stringify(Array(20_000).fill('h'))),
    withKey('content', '"\\ud800 lone high"'), withKey('content', '["ok", "\\udc00 lone low"]'), withKey('content', '"nul \\u0000 inside"'),
    withKey('workflow_id', '"wf\\u0000"'), withKey('agent', '"\\ud800"'), withKey('pack', '"qa\\u0000"'), withKey('version', '"\\udfff"'),
    withKey('stage', '"hx-advisory"'), `{"stage":"hx-off","stage":"hx-enforced","content":"dup"}`,
    withKey('content', JSON.stringify('x'.repeat(300 * 1024))),
  ];
};

/** Raw bodies that are not valid UTF-8 or not JSON at all. */
const INVALID_UTF8: Buffer[] = [
  Buffer.concat([Buffer.from('{"content":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xc0, 0xaf, 0xf8, 0x88, 0x80]), Buffer.from('","stage":"hx-advisory"}')]),
  Buffer.concat([Buffer.from('{"content":["ok","'), Buffer.from([0xe2, 0x82]), Buffer.from('"],"stage":"hx-enforced"}')]),
  Buffer.from([0xfe, 0xff, 0x00, 0x7b, 0x00, 0x7d]),
  Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
  Buffer.from([0x00, 0x00, 0x00]),
];

const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'application/json; charset=utf-16',
  'text/plain', 'application/x-www-form-urlencoded', 'application/vnd.api+json', 'multipart/form-data; boundary=x', '',
];

const bodyText = (route: RouteSpec): fc.Arbitrary<string | Buffer> =>
  fc.oneof(
    { weight: 5, arbitrary: mutatedBody(route) },
    { weight: 2, arbitrary: fc.constantFrom(...fixedBodies(route)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.constantFrom(...INVALID_UTF8) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)) },
  );

/** Path segments, already percent-encoded, including invalid escapes and encoded invalid UTF-8. */
const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('%00', '%ff%fe', '%ED%A0%80', '%C0%AF', '%', '%zz', '..', '%2e%2e%2f%2e%2e', '__proto__', 'constructor', '%E2%80%AE', 'a'.repeat(5_000), '%20', 'UPPER'),
  fc.uint8Array({ minLength: 1, maxLength: 40 }).map((a) => [...a].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
  fc.string({ unit: 'grapheme-ascii', maxLength: 30 }).map(encodeURIComponent),
);

function validSegment(route: RouteSpec, name: string): fc.Arbitrary<string> {
  if (name === 'request_id') return fc.uuid();
  if (name === 'id') return fc.constant('qa');
  if (name === 'file') return fc.constantFrom('swagger-ui.css', 'app.js', 'index.html', '..%2f..%2fpackage.json', '.env');
  return fc.constant(route.method === 'put' ? 'hx-put' : 'hx-advisory');
}

function pathFor(route: RouteSpec): fc.Arbitrary<string> {
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  if (names.length === 0) return fc.constant(route.path);
  return fc
    .tuple(...names.map((n) => fc.oneof({ weight: 1, arbitrary: validSegment(route, n) }, { weight: 2, arbitrary: hostileSegment })))
    .map((values) => names.reduce((p, n, i) => p.replace(`{${n}}`, values[i]!), route.path));
}

function queryFor(route: RouteSpec): fc.Arbitrary<string> {
  const names = Object.keys((route.query?.properties as Record<string, unknown> | undefined) ?? {});
  const key = fc.constantFrom(...names, '__proto__', '__proto__[polluted]', 'constructor[prototype][polluted]', 'a[b][c][d]', 'limit');
  const value = fc.oneof(
    fc.constantFrom('1', '0', '-1', '501', '1e309', 'NaN', '2026-13-45T99:99:99Z', 'PASS', 'pass', 'hx-advisory', '%00', '%ff', '%ED%A0%80', 'x'.repeat(2_000), 'eyJ0IjoiIn0', '[]', '{}'),
    hostileSegment,
  );
  return fc.array(fc.tuple(key, value), { maxLength: 6 }).map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : ''));
}

const authHeader = fc.oneof(
  { weight: 6, arbitrary: fc.constant(`Bearer ${ADMIN_KEY}`) },
  { weight: 2, arbitrary: fc.constant(`Bearer ${EVALUATOR_KEY}`) },
  { weight: 1, arbitrary: fc.constantFrom('', 'Bearer', 'Bearer ', `Basic ${ADMIN_KEY}`, `Bearer ${'k'.repeat(600)}`, `Bearer ${ADMIN_KEY}x`, `bearer   ${ADMIN_KEY}  `, 'Bearer a b') },
);

function requestFor(route: RouteSpec): fc.Arbitrary<RawRequest> {
  const method = route.method.toUpperCase();
  return fc
    .record({
      path: pathFor(route),
      query: fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: queryFor(route) }),
      auth: authHeader,
      contentType: fc.oneof({ weight: 6, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) }),
      body: route.body ? bodyText(route) : fc.option(bodyText(route), { freq: 4 }),
      otherMethod: fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'), { freq: 10 }),
    })
    .map(({ path, query, auth, contentType, body, otherMethod }) => ({
      method: otherMethod ?? method,
      path: `${path}${query}`,
      headers: { ...(auth ? { Authorization: auth } : {}), ...(contentType ? { 'Content-Type': contentType } : {}) },
      body: body ?? undefined,
    }));
}

/** Every route registered on the Express app, as route-table entries (`/a/:b` → `/a/{b}`). */
function servedRoutes(app: Gatehouse['app']): RouteSpec[] {
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const found: RouteSpec[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) {
          found.push({ method: method as RouteSpec['method'], path: layer.route.path.replace(/:(\w+)/g, '{$1}'), summary: '', tag: '', access: 'public', ok: { status: 200 }, errors: [] });
        }
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found;
}

// ---- the properties ---------------------------------------------------------------------------

describe('hostile input at every route of the OpenAPI route table', () => {
  it('the route table lists the API (a new route is covered here automatically)', () => {
    expect(ROUTES.length).toBeGreaterThanOrEqual(16);
    expect(ROUTES.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(['post /v1/evaluate', 'post /v1/receipts/verify', 'put /v1/stages/{stage}']));
  });

  it.each(ROUTES.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))(
    '%s: random and hostile requests answer 2xx or a 4xx error shape',
    async (_name, route) => {
      await fc.assert(
        fc.asyncProperty(requestFor(route), async (req) => {
          checkAnswer(route, req, await send(server, req));
        }),
        { seed: SEED, numRuns: RUNS_PER_ROUTE, endOnFailure: true },
      );
    },
  );

  it('routes the app serves beyond the route table (assets, dashboard, event streams) get the same treatment', async () => {
    const documented = new Set(ROUTES.map((r) => `${r.method} ${r.path}`));
    const extra = servedRoutes(gh.app).filter((r) => !documented.has(`${r.method} ${r.path}`));
    for (const route of extra) {
      await fc.assert(
        fc.asyncProperty(requestFor(route), async (req) => {
          checkAnswer(route, req, await send(server, req));
        }),
        { seed: SEED, numRuns: Math.ceil(RUNS_PER_ROUTE / 4), endOnFailure: true },
      );
    }
  });

  it('every fixed hostile body at every body route, with the expected code', async () => {
    for (const route of ROUTES.filter((r) => r.body)) {
      for (const body of [...fixedBodies(route), ...INVALID_UTF8]) {
        const req = { method: route.method.toUpperCase(), path: route.path.replace('{stage}', 'hx-put'), headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' }, body };
        checkAnswer(route, req, await send(server, req));
      }
    }
  });
});

describe('hostile input: the expected answer for each kind', () => {
  const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    send(server, { method: 'POST', path, headers: { Authorization: `Bearer ${EVALUATOR_KEY}`, 'Content-Type': 'application/json', ...headers }, body });
  const code = (res: RawResponse) => (JSON.parse(res.text) as { error?: { code: string; message: string } }).error;

  it(`deep nesting (10,000 and 100,000 levels) → 400 INVALID_REQUEST naming the depth limit (${MAX_JSON_DEPTH})`, async () => {
    for (const body of [
      deepJson(10_000),
      `{"content":"hi","stage":"hx-advisory","metadata":${deepJson(10_000)}}`,
      '['.repeat(100_000) + ']'.repeat(100_000),
      `{"content":"hi","stage":"hx-advisory","metadata":{"a":${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}}}`,
    ]) {
      const res = await post('/v1/evaluate', body);
      expect(res.status, body.slice(0, 80)).toBe(400);
      expect(code(res)).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringMatching(/nest/i) });
    }
    // Brackets inside strings are text, not nesting.
    const inString = await post('/v1/evaluate', JSON.stringify({ content: '['.repeat(20_000), stage: 'hx-advisory', metadata: { a: { b: [[1]] } } }));
    expect(inString.status).toBe(200);
    const atLimit = await post('/v1/evaluate', `{"content":"hi","stage":"hx-advisory","metadata":{"a":${'['.repeat(MAX_JSON_DEPTH - 2)}${']'.repeat(MAX_JSON_DEPTH - 2)}}}`);
    expect(atLimit.status).toBe(200);
  });

  it('prototype-pollution keys are refused as unknown fields, or kept as plain data inside metadata', async () => {
    const refused = await post('/v1/evaluate', '{"content":"hi","stage":"hx-advisory","__proto__":{"polluted":"yes"}}');
    expect(refused.status).toBe(400);
    expect(JSON.stringify(code(refused))).toContain('/__proto__');
    const constructor = await post('/v1/evaluate', '{"content":"hi","stage":"hx-advisory","constructor":{"prototype":{"polluted":"yes"}}}');
    expect(constructor.status).toBe(400);
    const inMetadata = await post(
      '/v1/evaluate',
      '{"content":"hi","stage":"hx-enforced","metadata":{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"required_tags":{"__proto__":["x"]}}}',
    );
    expect(inMetadata.status).toBe(200);
    const query = await send(server, { method: 'GET', path: '/v1/audit?__proto__[polluted]=yes&constructor[prototype][polluted]=yes', headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
    expect(query.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('lone surrogates and NUL characters → 400 INVALID_REQUEST naming the field (they would break the audit row)', async () => {
    for (const [body, field] of [
      ['{"content":"lone \\ud800 high","stage":"hx-advisory"}', '/content'],
      ['{"content":["ok","\\udc00"],"stage":"hx-advisory"}', '/content/1'],
      ['{"content":"nul \\u0000 here","stage":"hx-advisory"}', '/content'],
      ['{"content":"ok","stage":"hx-advisory","workflow_id":"wf\\u0000"}', '/workflow_id'],
      ['{"content":"ok","stage":"hx-advisory","metadata":{"k\\ud800":1}}', '/metadata'],
    ] as const) {
      const res = await post('/v1/evaluate', body);
      expect(res.status, body).toBe(400);
      expect(code(res)).toMatchObject({ code: 'INVALID_REQUEST' });
      expect(JSON.stringify(JSON.parse(res.text).error.details)).toContain(field);
    }
    const verify = await post('/v1/receipts/verify', JSON.stringify({ receipt, content: 'hello' }).replace('hello', 'hel\\ud800lo'));
    expect(verify.status).toBe(400);
    const pinned = await send(server, { method: 'PUT', path: '/v1/stages/hx-put', headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' }, body: '{"pack":"qa\\u0000","version":"2.0.0"}' });
    expect(pinned.status).toBe(400);
    const audit = await send(server, { method: 'GET', path: '/v1/audit?workflow_id=%00&code=%ED%A0%80', headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
    expect(audit.status).toBe(400);
    const versions = await send(server, { method: 'GET', path: '/v1/packs/qa%00/versions', headers: { Authorization: `Bearer ${EVALUATOR_KEY}` } });
    expect(versions.status).toBe(400);
    // A well-formed astral character (a surrogate pair) is fine.
    const emoji = await post('/v1/evaluate', JSON.stringify({ content: 'launch day 🚀🏳️‍🌈', stage: 'hx-advisory' }));
    expect(emoji.status).toBe(200);
  });

  it('invalid UTF-8 bytes are decoded as U+FFFD and evaluated; the audit row is written', async () => {
    const res = await post('/v1/evaluate', INVALID_UTF8[0]!);
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as { audit_ok: boolean; sanitized: string[]; request_id: string };
    expect(body.audit_ok).toBe(true);
    expect(body.sanitized.join('')).toContain('\ufffd');
    expect(await database().db.knex('audit_events').where({ request_id: body.request_id })).toHaveLength(1);
  });

  it('bidi overrides and thousands of combining marks are text: a quick decision, audited', async () => {
    for (const content of ['\u202eevil\u202c', COMBINING, ['\u2066a\u2069', 'Z̸̢̛͚̙̱͓̗̼̯̓̽̌̆̓̍'.repeat(2_000)], 'f\u0336u\u0336c\u0336k\u0336 this', '\u0301'.repeat(39_000)]) {
      const started = performance.now();
      const res = await post('/v1/evaluate', JSON.stringify({ content, stage: 'hx-enforced' }));
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text).audit_ok).toBe(true);
      expect(performance.now() - started).toBeLessThan(2_000);
    }
  });

  it('a body at the limits full of one flagged term answers a bounded decision, with every hit masked', async () => {
    // 240 kB in: before the per-check cap this answered ~30 MB of violations and stored ~2 MB per audit row.
    const content = Array(6).fill('fuck '.repeat(8_000));
    const res = await post('/v1/evaluate', JSON.stringify({ content, stage: 'hx-enforced' }));
    expect(res.status).toBe(200);
    expect(res.text.length).toBeLessThan(1024 * 1024);
    const body = JSON.parse(res.text) as { decision: string; audit_ok: boolean; violations: { post: number; check: string }[]; sanitized: string[] };
    expect(body).toMatchObject({ decision: 'FAIL', audit_ok: true });
    const perCheckAndPost = new Map<string, number>();
    for (const v of body.violations) perCheckAndPost.set(`${v.check}/${v.post}`, (perCheckAndPost.get(`${v.check}/${v.post}`) ?? 0) + 1);
    expect(Math.max(...perCheckAndPost.values())).toBe(MAX_REPORTED_PER_CHECK_AND_POST);
    for (const text of body.sanitized) expect(text).not.toMatch(/fuck/i);
  });

  it('limits: body size, posts per request, characters per post → 413 PAYLOAD_TOO_LARGE', async () => {
    const big = await post('/v1/evaluate', JSON.stringify({ content: 'x'.repeat(300 * 1024), stage: 'hx-advisory' }));
    expect(big.status).toBe(413);
    expect(code(big)?.code).toBe('PAYLOAD_TOO_LARGE');
    const posts = await post('/v1/evaluate', JSON.stringify({ content: Array(101).fill('hi'), stage: 'hx-advisory' }));
    expect([posts.status, code(posts)?.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const chars = await post('/v1/evaluate', JSON.stringify({ content: 'y'.repeat(40_001), stage: 'hx-advisory' }));
    expect([chars.status, code(chars)?.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    // The body limit counts decoded bytes: a small gzip bomb is refused, not inflated into memory.
    const bomb = gzipSync(Buffer.from(`{"content":"${'0'.repeat(20 * 1024 * 1024)}","stage":"hx-advisory"}`));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const inflated = await post('/v1/evaluate', bomb, { 'Content-Encoding': 'gzip' });
    expect([inflated.status, code(inflated)?.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const notGzip = await post('/v1/evaluate', Buffer.from('not gzip at all'), { 'Content-Encoding': 'gzip' });
    expect(notGzip.status).toBe(400);
    const unknownEncoding = await post('/v1/evaluate', Buffer.from('{}'), { 'Content-Encoding': 'compress-9000' });
    expect(unknownEncoding.status).toBeGreaterThanOrEqual(400);
    expect(unknownEncoding.status).toBeLessThan(500);
  });

  it('malformed HTTP on a raw socket gets a 4xx (or a closed connection), and the server keeps serving', async () => {
    const exchanges = [
      'GARBAGE\r\n\r\n',
      'GET / HTTP/9.9\r\n\r\n',
      'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n',
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`,
      'POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n',
      'POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
      'POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
      `GET /healthz\u0000 HTTP/1.1\r\nHost: x\r\n\r\n`,
      `POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${EVALUATOR_KEY}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"content":"cut off`,
    ];
    for (const bytes of exchanges) {
      const answer = await rawExchange(server.port, bytes, 500);
      // Node answers parser errors itself (400/431/…, no body); an aborted body ends in a closed connection.
      if (answer !== '') expect(answer, JSON.stringify(bytes.slice(0, 80))).toMatch(/^HTTP\/1\.1 4\d\d /);
      expect(answer).not.toMatch(/\n\s+at\s|node_modules/);
    }
    expect((await send(server, { method: 'GET', path: '/healthz' })).status).toBe(200);
  });
});

describe('after the run', () => {
  it('Object.prototype and Array.prototype are untouched and ({}).polluted is undefined', () => {
    const probe = {} as Record<string, unknown>;
    expect(probe.polluted).toBeUndefined();
    expect(probe.isAdmin).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
    expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(arrayPrototypeNames);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it('the server still answers /healthz and /readyz, and logged no error (no 5xx, no failed audit write)', async () => {
    expect((await send(server, { method: 'GET', path: '/healthz' })).status).toBe(200);
    expect((await send(server, { method: 'GET', path: '/readyz' })).status).toBe(200);
    const errors = logLines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
    expect(errors.map((l) => l.slice(0, 300))).toEqual([]);
  });
});
