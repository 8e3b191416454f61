import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gatehouse } from '../../../server/compose.js';
import { useDatabase } from '../../helpers/databases.js';
import * as S from '../../../contract/schemas/index.js';
import { ADMIN_KEY, CONTENT, EVALUATOR_KEY, RULES_DIR, auth, buildGatehouse, conforms, evaluate, expectError, pin } from './harness.js';

const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const database = useDatabase('pglite');
let gh: Gatehouse;

beforeAll(async () => {
  gh = await buildGatehouse(database().db);
});
const tempDirs: string[] = [];
afterAll(async () => {
  await gh?.close();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
const tempRules = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gh-rules-'));
  tempDirs.push(dir);
  return dir;
};

describe('auth and roles', () => {
  const evaluatorRoutes: [string, string][] = [
    ['post', '/v1/evaluate'], ['get', '/v1/decisions/00000000-0000-4000-8000-000000000000'], ['post', '/v1/receipts/verify'],
    ['get', '/v1/packs'], ['get', '/v1/packs/qa/versions'], ['get', '/v1/stages'], ['get', '/v1/stages/dev/history'],
    ['post', '/v1/agent-runs'],
  ];
  const adminRoutes: [string, string][] = [['put', '/v1/stages/dev'], ['get', '/v1/audit']];

  it.each([...evaluatorRoutes, ...adminRoutes])('%s %s without a key → 401', async (method, url) => {
    const res = await (request(gh.app) as unknown as Record<string, (u: string) => request.Test>)[method]!(url).send({});
    expectError(res, 401, 'UNAUTHORIZED');
  });

  it('a wrong key or a malformed header → 401', async () => {
    expectError(await request(gh.app).get('/v1/stages').set(auth('not-a-real-key-at-all')), 401, 'UNAUTHORIZED');
    expectError(await request(gh.app).get('/v1/stages').set('Authorization', `Basic ${ADMIN_KEY}`), 401, 'UNAUTHORIZED');
    expectError(await request(gh.app).get('/v1/stages').set('Authorization', 'Bearer'), 401, 'UNAUTHORIZED');
  });

  it.each(adminRoutes)('%s %s with an evaluator key → 403', async (method, url) => {
    const res = await (request(gh.app) as unknown as Record<string, (u: string) => request.Test>)[method]!(url)
      .set(auth(EVALUATOR_KEY))
      .send({ pack: 'qa', version: '2.0.0', mode: 'enforced' });
    expectError(res, 403, 'FORBIDDEN');
  });

  it('an admin key may do what an evaluator may', async () => {
    expect((await request(gh.app).get('/v1/packs').set(auth(ADMIN_KEY))).status).toBe(200);
  });

  it('RATE_LIMITED (429) with Retry-After, per key', async () => {
    const limited = await buildGatehouse(database().db, { env: { GATEHOUSE_RATE_LIMIT_PER_MINUTE: '3' } });
    for (let i = 0; i < 3; i++) expect((await request(limited.app).get('/v1/packs').set(auth(EVALUATOR_KEY))).status).toBe(200);
    const res = await request(limited.app).get('/v1/packs').set(auth(EVALUATOR_KEY));
    const error = expectError(res, 429, 'RATE_LIMITED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(error.details).toMatchObject({ limit_per_minute: 3 });
    expect((await request(limited.app).get('/v1/packs').set(auth(ADMIN_KEY))).status).toBe(200);
    await limited.close();
  });
});

describe('packs', () => {
  it('publishes the rules folder at start and lists versions with hash and time', async () => {
    const list = await request(gh.app).get('/v1/packs').set(auth(EVALUATOR_KEY));
    expect(list.status).toBe(200);
    conforms(S.PackList, list.body);
    const qa = list.body.items.find((p: { pack: string }) => p.pack === 'qa');
    expect(qa).toMatchObject({ version: '2.0.0', hash: expect.stringMatching(/^sha256:/), published_at: expect.any(String) });
    const versions = await request(gh.app).get('/v1/packs/qa/versions').set(auth(EVALUATOR_KEY));
    expect(versions.body).toMatchObject({ pack: 'qa', items: [{ version: '2.0.0', hash: qa.hash }] });
    conforms(S.PackVersions, versions.body);
    expectError(await request(gh.app).get('/v1/packs/nope/versions').set(auth(EVALUATOR_KEY)), 404, 'POLICY_VERSION_NOT_FOUND');
  });

  it('refuses the same id@version with other content, logs it, and still starts', async () => {
    const dir = tempRules();
    cpSync(path.join(RULES_DIR, 'qa'), path.join(dir, 'qa'), { recursive: true });
    const packFile = path.join(dir, 'qa', 'pack.yaml');
    writeFileSync(packFile, readFileSync(packFile, 'utf8').replace(/^description: >-\n/m, 'description: >-\n  Changed without a version bump.\n'));
    const logs: string[] = [];
    const conflicted = await buildGatehouse(database().db, { env: { GATEHOUSE_RULES_DIR: dir }, logSink: logs });
    expect(conflicted.packs.report().conflicts).toEqual(['qa@2.0.0']);
    expect(logs.join('\n')).toMatch(/qa@2\.0\.0 refused: .*already published/);
    const versions = await request(conflicted.app).get('/v1/packs/qa/versions').set(auth(EVALUATOR_KEY));
    expect(versions.body.items).toHaveLength(1);
    expect((await request(conflicted.app).get('/readyz')).status).toBe(200);
    await conflicted.close();
  });

  it('logs a broken pack with file:line:col and starts with the rest', async () => {
    const dir = tempRules();
    cpSync(path.join(RULES_DIR, 'qa'), path.join(dir, 'qa'), { recursive: true });
    const brokenDir = path.join(dir, 'broken');
    cpSync(path.join(RULES_DIR, 'qa'), brokenDir, { recursive: true });
    const file = path.join(brokenDir, 'pack.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('id: qa', 'id: broken').replace(/^    severity: warn$/m, '    severity: loud'));
    const logs: string[] = [];
    const partial = await buildGatehouse(database().db, { env: { GATEHOUSE_RULES_DIR: dir }, logSink: logs });
    expect(partial.packs.report().errors.join('\n')).toMatch(/pack\.yaml:\d+:\d+ .*severity/);
    expect(logs.join('\n')).toMatch(/pack not loaded: .*pack\.yaml:\d+:\d+/);
    expect((await request(partial.app).get('/readyz')).status).toBe(200);
    await partial.close();
  });
});

describe('stages', () => {
  it('a new stage starts off when no mode is given; later pins keep the mode unless given', async () => {
    const created = await pin(gh.app, 'st-new', {});
    expect(created.status).toBe(201);
    conforms(S.Stage, created.body);
    expect(created.body).toMatchObject({ stage: 'st-new', pack: 'qa', version: '2.0.0', mode: 'off', effective_mode: 'off' });
    expect(created.body.updated_by).toMatch(/^env-admin-/);
    const enforced = await pin(gh.app, 'st-new', { mode: 'enforced' });
    expect(enforced.status).toBe(200);
    expect(enforced.body.mode).toBe('enforced');
    expect((await pin(gh.app, 'st-new', {})).body.mode).toBe('enforced');
  });

  it('lists pins with effective modes, and their history', async () => {
    await pin(gh.app, 'st-hist', { mode: 'advisory' });
    await pin(gh.app, 'st-hist', { mode: 'enforced' });
    const list = await request(gh.app).get('/v1/stages').set(auth(EVALUATOR_KEY));
    expect(list.body).toMatchObject({ kill_switch: false, mode_ceiling: 'enforced' });
    conforms(S.StageList, list.body);
    expect(list.body.items.find((s: { stage: string }) => s.stage === 'st-hist')).toMatchObject({ mode: 'enforced', effective_mode: 'enforced' });
    const history = await request(gh.app).get('/v1/stages/st-hist/history').set(auth(EVALUATOR_KEY));
    conforms(S.StageHistory, history.body);
    expect(history.body.items).toEqual([
      expect.objectContaining({ from: { pack: 'qa', version: '2.0.0', mode: 'advisory' }, to: { pack: 'qa', version: '2.0.0', mode: 'enforced' } }),
      expect.objectContaining({ from: null, to: { pack: 'qa', version: '2.0.0', mode: 'advisory' } }),
    ]);
    expectError(await request(gh.app).get('/v1/stages/st-never/history').set(auth(EVALUATOR_KEY)), 404, 'STAGE_NOT_FOUND');
  });

  it('refuses unknown versions, bad modes and bad stage names', async () => {
    expectError(await pin(gh.app, 'st-bad', { version: '9.9.9' }), 404, 'POLICY_VERSION_NOT_FOUND');
    expectError(await pin(gh.app, 'st-bad', { pack: 'ghost' }), 404, 'POLICY_VERSION_NOT_FOUND');
    const mode = expectError(await pin(gh.app, 'st-bad', { mode: 'strict' }), 400, 'INVALID_REQUEST');
    expect(mode.details).toEqual([{ path: '/mode', message: 'must be one of "off", "advisory", "enforced"' }]);
    expectError(await pin(gh.app, 'Bad_Stage', {}), 400, 'INVALID_REQUEST');
    expectError(await pin(gh.app, 'x'.repeat(65), {}), 400, 'INVALID_REQUEST');
    expectError(await request(gh.app).get('/v1/stages/st-bad/history').set(auth(ADMIN_KEY)), 404, 'STAGE_NOT_FOUND');
  });
});

describe('audit and agent runs', () => {
  it('filters by stage, decision, code and workflow id, and pages with a cursor', async () => {
    await pin(gh.app, 'au', { mode: 'enforced' });
    const ids: string[] = [];
    for (const content of [CONTENT.pass, CONTENT.profane, CONTENT.pass, CONTENT.profane, CONTENT.profane]) {
      ids.push((await evaluate(gh.app, { content, stage: 'au', workflow_id: 'wf-au' })).body.request_id);
    }
    const get = (q: Record<string, string | number>) => request(gh.app).get('/v1/audit').query(q).set(auth(ADMIN_KEY));

    const fails = await get({ stage: 'au', decision: 'FAIL' });
    expect(fails.status).toBe(200);
    conforms(S.AuditPage, fails.body);
    expect(fails.body.items).toHaveLength(3);
    expect(fails.body.items[0]).toMatchObject({ stage: 'au', pack: 'qa', policy_version: '2.0.0', decision: 'FAIL', workflow_id: 'wf-au' });
    expect(fails.body.items[0]).not.toHaveProperty('response');
    expect((await get({ code: 'PROFANITY', workflow_id: 'wf-au' })).body.items).toHaveLength(3);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await get({ workflow_id: 'wf-au', limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((i: { request_id: string }) => i.request_id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...ids].sort());

    const future = await get({ workflow_id: 'wf-au', from: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future.body).toEqual({ items: [], next_cursor: null });
    expectError(await get({ limit: 501 }), 400, 'INVALID_REQUEST');
    expectError(await get({ decision: 'MAYBE' }), 400, 'INVALID_REQUEST');
    expectError(await get({ cursor: 'not-a-cursor' }), 400, 'INVALID_REQUEST');
    expectError(await get({ from: 'yesterday' }), 400, 'INVALID_REQUEST');
  });

  it('records agent runs (201) and refuses end before start', async () => {
    const run = { workflow_id: 'wf-runs', agent: 'writer', start_ms: 1_000, end_ms: 2_500, success: false, failure_reason: 'timeout' };
    const res = await request(gh.app).post('/v1/agent-runs').set(auth(EVALUATOR_KEY)).send(run);
    expect(res.status).toBe(201);
    conforms(S.AgentRunResponse, res.body);
    expect(res.body).toMatchObject({ ...run, caller: expect.stringMatching(/^env-evaluator-/) });
    expect(await database().db.knex('agent_runs').where({ workflow_id: 'wf-runs' })).toHaveLength(1);
    const backwards = expectError(
      await request(gh.app).post('/v1/agent-runs').set(auth(EVALUATOR_KEY)).send({ ...run, end_ms: 999 }),
      400,
      'INVALID_REQUEST',
    );
    expect(backwards.details).toEqual([{ path: '/end_ms', message: 'must be >= start_ms (1000)' }]);
    expectError(await request(gh.app).post('/v1/agent-runs').set(auth(EVALUATOR_KEY)).send({ agent: 'w' }), 400, 'INVALID_REQUEST');
  });
});

describe('security headers and CORS', () => {
  it('sets the security headers and no CORS headers by default', async () => {
    const res = await request(gh.app).get('/healthz').set('Origin', 'https://evil.example');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    // CSP only on the HTML pages (security/gate.test.ts), and without upgrade-insecure-requests.
    expect(res.headers['content-security-policy']).toBeUndefined();
    const docs = await request(gh.app).get('/docs').set('Origin', 'https://evil.example');
    expect(docs.headers['content-security-policy']).toContain("default-src 'self'");
    expect(docs.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('allows only the configured origins', async () => {
    const withCors = await buildGatehouse(database().db, { env: { GATEHOUSE_CORS_ORIGINS: 'https://app.example' } });
    const ok = await request(withCors.app).get('/healthz').set('Origin', 'https://app.example');
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example');
    const other = await request(withCors.app).get('/healthz').set('Origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    await withCors.close();
  });
});

describe('operations', () => {
  it('healthz, readyz', async () => {
    expect((await request(gh.app).get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await request(gh.app).get('/readyz');
    expect(ready.status).toBe(200);
    conforms(S.Readiness, ready.body);
    expect(ready.body).toMatchObject({ status: 'ready', checks: { database: { ok: true }, packs: { ok: true } } });
  });

  it('unknown routes → NOT_FOUND in the error shape', async () => {
    expectError(await request(gh.app).get('/nope'), 404, 'NOT_FOUND');
    expectError(await request(gh.app).delete('/v1/stages/dev').set(auth(ADMIN_KEY)), 404, 'NOT_FOUND');
  });

  it('/metrics comes from this app’s own registry', async () => {
    const res = await request(gh.app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toContain('# TYPE gatehouse_decisions_total counter');
    expect(res.text).toContain('# TYPE gatehouse_evaluate_duration_seconds histogram');
    expect(res.text).toContain('gatehouse_audit_write_failures_total');
  });

  it('/openapi.json is OpenAPI 3.1 with every route, bearer auth and the error shape', async () => {
    const res = await request(gh.app).get('/openapi.json');
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(doc.components.schemas.ErrorBody.properties.error.required).toEqual(['code', 'message', 'suggestedFix', 'details']);
    const ops = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, m]) => Object.keys(m).map((k) => `${k.toUpperCase()} ${p}`));
    expect(ops.sort()).toEqual(
      [
        'POST /v1/evaluate', 'GET /v1/decisions/{request_id}', 'POST /v1/receipts/verify', 'GET /.well-known/jwks.json',
        'GET /v1/packs', 'GET /v1/packs/{id}/versions', 'GET /v1/stages', 'PUT /v1/stages/{stage}', 'GET /v1/stages/{stage}/history',
        'GET /v1/audit', 'POST /v1/agent-runs', 'GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /openapi.json', 'GET /docs',
        'GET /v1/kill-switch', 'POST /v1/kill-switch', 'GET /v1/fleet', 'GET /v1/reports/shadow',
        'POST /v1/overrides', 'GET /v1/overrides', 'GET /v1/reports/readiness',
        'GET /v1/events', 'GET /v1/dashboard/stats', 'GET /docs/init.js', 'GET /docs/assets/{file}', 'GET /schemas/{file}',
        'GET /dashboard', 'GET /dashboard/{file}',
      ].sort(),
    );
    const evaluateOp = doc.paths['/v1/evaluate'].post;
    expect(evaluateOp.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/EvaluateRequest' });
    expect(evaluateOp.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(evaluateOp.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '404', '413', '429']));
    expect(doc.paths['/v1/stages/{stage}'].put['x-required-role']).toBe('admin');
    // The published schema is the one that validates: the stage pattern is enforced as published.
    expect(doc.components.schemas.EvaluateRequest.properties.stage.pattern).toBe('^[a-z0-9][a-z0-9_-]{0,63}$');
    expect(JSON.stringify(doc)).not.toMatch(/Symbol|\[Kind\]/);
    // Every published schema is valid JSON Schema 2020-12.
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    // Components refer to each other ($ref): compile each within the document.
    ajv.addSchema({ $id: 'openapi', components: doc.components });
    for (const name of Object.keys(doc.components.schemas as Record<string, object>)) {
      expect(() => ajv.compile({ $ref: `openapi#/components/schemas/${name}` }), name).not.toThrow();
    }
  });

  it('every documented route answers something other than NOT_FOUND', async () => {
    const doc = (await request(gh.app).get('/openapi.json')).body;
    for (const [p, methods] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(methods)) {
        // The event stream never ends by itself: it is covered by test/dashboard/events.test.ts.
        if (p === '/v1/events') continue;
        const url = p.replace('{request_id}', '00000000-0000-4000-8000-000000000000').replace('{id}', 'qa').replace('{stage}', 'dev')
          .replace('/docs/assets/{file}', '/docs/assets/swagger-ui.css').replace('/dashboard/{file}', '/dashboard/app.js').replace('{file}', 'pack.json');
        const res = await (request(gh.app) as unknown as Record<string, (u: string) => request.Test>)[method]!(url).set(auth(ADMIN_KEY)).send({});
        if (res.body?.error?.code === 'NOT_FOUND') expect(res.body.error.message).not.toMatch(/^No route/);
      }
    }
  });

  it('/docs renders the API reference from local swagger-ui assets', async () => {
    const page = await request(gh.app).get('/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('/docs/assets/swagger-ui-bundle.js');
    expect(page.text).not.toMatch(/https?:\/\//);
    const bundle = await request(gh.app).get('/docs/assets/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    expect((await request(gh.app).get('/docs/init.js')).text).toContain("url: '/openapi.json'");
    expectError(await request(gh.app).get('/docs/assets/package.json'), 404, 'NOT_FOUND');
  });
});
