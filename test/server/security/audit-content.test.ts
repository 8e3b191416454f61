// Issue 13, finding 4: "content is kept although GATEHOUSE_AUDIT_STORE_CONTENT=0", and "any evaluator
// key can read any caller's decision through GET /v1/decisions/{id}". On PGlite and PostgreSQL:
// with content storage off, no column of the audit row (the stored answer's `sanitized`, evidence,
// messages and fixes included), nor the outbox, holds the text or a masked copy of it; a decision
// reads back only to the key that made it or to an admin.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import type { Gatehouse } from '../../../server/compose.js';
import { databaseKinds, useDatabase } from '../../helpers/databases.js';
import { ADMIN_KEY, auth, buildGatehouse, evaluate, EVALUATOR_KEY, pin } from '../api/harness.js';

const OTHER_EVALUATOR = 'test-other-evaluator-key-0123456789abcdef';
// Confidential text with a profane word: the answer quotes it (masked) in sanitized, evidence and messages.
const SECRET = 'Project Nightjar launches on 3 March, this fucking roadmap is confidential.';
// Fragments that must not survive anywhere: the text, its distinctive words, the masked evidence.
const FRAGMENTS = ['Nightjar', 'roadmap is confidential', 'f**k', 'fucking', 'f*****g'];

describe.each(databaseKinds)('content off means off on %s', (kind) => {
  const database = useDatabase(kind);
  const apps: Gatehouse[] = [];
  const tmpDirs: string[] = [];
  afterAll(async () => {
    for (const gh of apps) await gh.close();
    for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
  });

  async function build(env: NodeJS.ProcessEnv = {}): Promise<Gatehouse> {
    const gh = await buildGatehouse(database().db, {
      env: { GATEHOUSE_API_KEYS: `admin:${ADMIN_KEY},evaluator:${EVALUATOR_KEY},evaluator:${OTHER_EVALUATOR}`, GATEHOUSE_AUDIT_STORE_CONTENT: '0', ...env },
    });
    apps.push(gh);
    return gh;
  }

  it('keeps no text of the content in any audit column, in advisory or enforced', async () => {
    const gh = await build();
    for (const mode of ['advisory', 'enforced']) expect((await pin(gh.app, `secret-${mode}`, { mode })).status).toBe(201);
    const ids: string[] = [];
    for (const mode of ['advisory', 'enforced']) {
      const answer = await evaluate(gh.app, { content: [SECRET, `2/2 ${SECRET}`], stage: `secret-${mode}` }, ADMIN_KEY);
      expect(answer.body).toMatchObject({ decision: 'FAIL', audit_ok: true });
      // The answer itself carries the text (to its caller): that is what must not reach the audit.
      expect(JSON.stringify(answer.body)).toContain('Nightjar');
      ids.push(answer.body.request_id);
    }
    const { rows } = await database().db.knex.raw('SELECT to_jsonb(e)::text AS line FROM audit_events e WHERE request_id = ANY(?)', [ids]);
    expect(rows).toHaveLength(2);
    for (const { line } of rows as { line: string }[]) {
      for (const fragment of FRAGMENTS) expect(line, fragment).not.toContain(fragment);
      const row = JSON.parse(line);
      expect(row.content).toBeNull();
      expect(row.response.sanitized).toEqual([]);
      expect(row.response.content_redacted).toBe(true);
      // What an audit needs survives: codes, checks, posts, spans, the hash.
      expect(row.violation_codes).toContain('PROFANITY');
      expect(row.violations[0]).toMatchObject({ code: 'PROFANITY', check: expect.any(String), post: 0, span: expect.any(Array) });
      expect(row.content_sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('keeps no text in the outbox either, when the database cannot take the row', async () => {
    const gh = await build();
    expect((await pin(gh.app, 'secret-outbox', { mode: 'advisory' })).status).toBe(201);
    const dir = mkdtempSync(path.join(tmpdir(), 'gh-secret-outbox-'));
    tmpDirs.push(dir);
    const broken = await buildGatehouse(database().db, {
      env: { GATEHOUSE_AUDIT_STORE_CONTENT: '0', GATEHOUSE_OUTBOX_DIR: dir },
      stores: { audit: { ...gh.stores.audit, insertMany: () => Promise.reject(new Error('connection terminated')) } },
    });
    apps.push(broken);
    const answer = await evaluate(broken.app, { content: SECRET, stage: 'secret-outbox' });
    expect(answer.body).toMatchObject({ audit_ok: false });
    const files = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(d, e.name)) : [path.join(d, e.name)]));
    const text = files(dir)
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    expect(text).toContain(answer.body.request_id);
    for (const fragment of FRAGMENTS) expect(text, fragment).not.toContain(fragment);
  });

  it('shows a decision only to the key that made it, or to an admin; to any other key it does not exist', async () => {
    const gh = await build();
    expect((await pin(gh.app, 'secret-read', { mode: 'enforced' })).status).toBe(201);
    const byAdmin = (await evaluate(gh.app, { content: SECRET, stage: 'secret-read' }, ADMIN_KEY)).body;
    const byEvaluator = (await evaluate(gh.app, { content: SECRET, stage: 'secret-read' }, EVALUATOR_KEY)).body;
    const read = (id: string, key: string) => request(gh.app).get(`/v1/decisions/${id}`).set(auth(key));

    // The finding: an unrelated evaluator key read an admin's confidential decision.
    const stolen = await read(byAdmin.request_id, OTHER_EVALUATOR);
    expect(stolen.status).toBe(404);
    expect(stolen.body.error).toMatchObject({ code: 'NOT_FOUND' });
    expect((await read(byEvaluator.request_id, OTHER_EVALUATOR)).status).toBe(404);
    expect((await read(byAdmin.request_id, EVALUATOR_KEY)).status).toBe(404);

    const own = await read(byEvaluator.request_id, EVALUATOR_KEY);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ request_id: byEvaluator.request_id, decision: 'FAIL', sanitized: [] });
    expect((await read(byEvaluator.request_id, ADMIN_KEY)).status).toBe(200);
    expect((await read(byAdmin.request_id, ADMIN_KEY)).status).toBe(200);
  });

  it('keeps the text where content storage is on, as configured', async () => {
    const gh = await build({ GATEHOUSE_AUDIT_STORE_CONTENT: '1' });
    expect((await pin(gh.app, 'secret-kept', { mode: 'advisory' })).status).toBe(201);
    const answer = (await evaluate(gh.app, { content: SECRET, stage: 'secret-kept' })).body;
    const row = await database().db.knex('audit_events').where({ request_id: answer.request_id }).first();
    expect(row.content).toBe(SECRET);
    expect(JSON.stringify(row.response)).toContain('Nightjar');
  });
});
