// Overrides end to end on the real app: an enforced FAIL, overridden by a person with a reason,
// gets a new receipt that verifies as an override; everything else is refused with the one error shape.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditStore } from '../../../server/audit/audit-store.js';
import type { Gatehouse } from '../../../server/compose.js';
import * as S from '../../../contract/schemas/index.js';
import { contentSha256 } from '../../../contract/content-hash.js';
import { auditRow } from '../../helpers/audit-rows.js';
import { useDatabase } from '../../helpers/databases.js';
import { ADMIN_KEY, CONTENT, EVALUATOR_KEY, auth, buildGatehouse, conforms, evaluate, expectError, pin } from '../api/harness.js';

const database = useDatabase('pglite');
const logLines: string[] = [];
let gh: Gatehouse;

const override = (body: Record<string, unknown>, key = ADMIN_KEY) => request(gh.app).post('/v1/overrides').set(auth(key)).send(body);
const verify = (receipt: string, content: string | string[]) =>
  request(gh.app).post('/v1/receipts/verify').set(auth(EVALUATOR_KEY)).send({ receipt, content });

/** An evaluation on `stage`; returns its answer. */
async function decided(stage: string, content: string | string[]) {
  const res = await evaluate(gh.app, { content, stage, workflow_id: 'wf-override' });
  expect(res.status).toBe(200);
  expect(res.body.audit_ok).toBe(true);
  return res.body as { request_id: string; receipt_id: string; receipt: string; decision: string; mode: string; allowed: boolean };
}

beforeAll(async () => {
  gh = await buildGatehouse(database().db, { logSink: logLines });
  expect((await pin(gh.app, 'ov-enforced', { mode: 'enforced' })).status).toBe(201);
  expect((await pin(gh.app, 'ov-advisory', { mode: 'advisory' })).status).toBe(201);
});

afterAll(() => gh?.close());

describe('POST /v1/overrides', () => {
  it('turns an enforced FAIL into a receipt that verifies as an override, with who and why', async () => {
    const blocked = await decided('ov-enforced', CONTENT.profane);
    expect(blocked).toMatchObject({ decision: 'FAIL', mode: 'enforced', allowed: false });
    const before = await verify(blocked.receipt, CONTENT.profane);
    expect(before.body).toMatchObject({ valid: true, allowed_to_post: false, override: false });

    const res = await override({ request_id: blocked.request_id, actor: '  Alice Reviewer ', reason: 'Quoted speech in a news report; approved by legal.' });
    expect(res.status).toBe(201);
    conforms(S.OverrideResponse, res.body);
    expect(res.body).toMatchObject({
      request_id: blocked.request_id,
      overridden_receipt_id: blocked.receipt_id,
      stage: 'ov-enforced',
      mode: 'enforced',
      decision: 'FAIL',
      violation_codes: ['PROFANITY'],
      content_sha256: contentSha256(CONTENT.profane),
      content_kind: 'text',
      actor: 'Alice Reviewer',
      reason: 'Quoted speech in a news report; approved by legal.',
      caller: expect.stringMatching(/^env-admin-/),
    });
    expect(res.body.receipt_id).not.toBe(blocked.receipt_id);

    const verified = await verify(res.body.receipt, CONTENT.profane);
    expect(verified.status).toBe(200);
    conforms(S.VerifyResponse, verified.body);
    expect(verified.body).toMatchObject({
      valid: true,
      allowed_to_post: true,
      override: true,
      claims: {
        override: true,
        override_id: res.body.override_id,
        actor: 'Alice Reviewer',
        reason: 'Quoted speech in a news report; approved by legal.',
        overridden_receipt_id: blocked.receipt_id,
        jti: res.body.receipt_id,
        sub: blocked.request_id,
        // The decision as it was: the override is what lets it post.
        decision: 'FAIL',
        mode: 'enforced',
        allowed: false,
        content_sha256: contentSha256(CONTENT.profane),
        content_kind: 'text',
      },
    });
    // Still bound to its content.
    expectError(await verify(res.body.receipt, CONTENT.threat), 422, 'RECEIPT_CONTENT_MISMATCH');

    // One append-only row, and one log line with who and why but never the content.
    const rows = await database().db.knex('overrides').where({ request_id: blocked.request_id });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ override_id: res.body.override_id, actor: 'Alice Reviewer', receipt_id: res.body.receipt_id });
    await expect(database().db.knex('overrides').where({ request_id: blocked.request_id }).update({ actor: 'someone else' })).rejects.toThrow(/append-only/);
    const logged = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'override');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ override_id: res.body.override_id, request_id: blocked.request_id, actor: 'Alice Reviewer', reason: expect.any(String) });
    expect(logLines.join('\n')).not.toContain('planner is the best');

    const listed = await request(gh.app).get('/v1/overrides').query({ request_id: blocked.request_id }).set(auth(ADMIN_KEY));
    expect(listed.status).toBe(200);
    conforms(S.OverrideList, listed.body);
    const { receipt: _token, ...row } = res.body as Record<string, unknown>;
    expect(listed.body.items).toEqual([row]);
  });

  it('keeps the content kind: a thread override verifies for the thread, not for its JSON as a string', async () => {
    const thread = ['1/2 This fucking planner is great.', '2/2 Really.'];
    const blocked = await decided('ov-enforced', thread);
    expect(blocked.decision).toBe('FAIL');
    const res = await override({ request_id: blocked.request_id, actor: 'bob', reason: 'Approved by the brand team.' });
    expect(res.status).toBe(201);
    expect(res.body.content_kind).toBe('thread');
    expect((await verify(res.body.receipt, thread)).body).toMatchObject({ allowed_to_post: true, override: true });
    expectError(await verify(res.body.receipt, JSON.stringify(thread)), 422, 'RECEIPT_CONTENT_MISMATCH');
  });

  it('refuses an override without actor or reason, or with blank or oversized ones', async () => {
    const blocked = await decided('ov-enforced', CONTENT.profane);
    const cases: Record<string, unknown>[] = [
      { request_id: blocked.request_id, reason: 'A reason.' },
      { request_id: blocked.request_id, actor: 'alice' },
      { request_id: blocked.request_id, actor: '', reason: 'A reason.' },
      { request_id: blocked.request_id, actor: 'alice', reason: '   ' },
      { request_id: blocked.request_id, actor: 'a'.repeat(201), reason: 'A reason.' },
      { request_id: blocked.request_id, actor: 'alice', reason: 'r'.repeat(2001) },
      { request_id: blocked.request_id, actor: 'alice', reason: 'A reason.', extra: true },
      { request_id: 'not-a-uuid', actor: 'alice', reason: 'A reason.' },
    ];
    for (const body of cases) {
      const error = expectError(await override(body), 400, 'INVALID_REQUEST');
      expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.any(String) })]));
    }
    expect(await database().db.knex('overrides').where({ request_id: blocked.request_id })).toHaveLength(0);
  });

  it('refuses a PASS, an advisory FAIL and an unknown decision with canonical errors', async () => {
    const passed = await decided('ov-enforced', CONTENT.pass);
    expect(passed.decision).toBe('PASS');
    const notNeeded = expectError(await override({ request_id: passed.request_id, actor: 'alice', reason: 'Why not.' }), 409, 'OVERRIDE_NOT_APPLICABLE');
    expect(notNeeded.details).toMatchObject({ decision: 'PASS', mode: 'enforced' });

    const advisory = await decided('ov-advisory', CONTENT.profane);
    expect(advisory).toMatchObject({ decision: 'FAIL', mode: 'advisory', allowed: true });
    const advisoryError = expectError(await override({ request_id: advisory.request_id, actor: 'alice', reason: 'Why not.' }), 409, 'OVERRIDE_NOT_APPLICABLE');
    expect(advisoryError.message).toMatch(/advisory/);

    expectError(await override({ request_id: '00000000-0000-4000-8000-000000000000', actor: 'alice', reason: 'Why not.' }), 404, 'NOT_FOUND');
    expect(await database().db.knex('overrides').whereIn('request_id', [passed.request_id, advisory.request_id])).toHaveLength(0);
  });

  it('is for admins only', async () => {
    const blocked = await decided('ov-enforced', CONTENT.profane);
    expectError(await override({ request_id: blocked.request_id, actor: 'eve', reason: 'Let me.' }, EVALUATOR_KEY), 403, 'FORBIDDEN');
    expectError(await request(gh.app).get('/v1/overrides').set(auth(EVALUATOR_KEY)), 403, 'FORBIDDEN');
  });

  it('checks optional content against the decision, and needs it for rows recorded without a content kind', async () => {
    const blocked = await decided('ov-enforced', CONTENT.profane);
    const wrong = expectError(await override({ request_id: blocked.request_id, actor: 'alice', reason: 'Ok.', content: CONTENT.threat }), 400, 'INVALID_REQUEST');
    expect(wrong.details).toEqual([expect.objectContaining({ path: '/content' })]);
    expect((await override({ request_id: blocked.request_id, actor: 'alice', reason: 'Ok.', content: CONTENT.profane })).status).toBe(201);

    // A row written before audit_events.content_kind existed.
    const legacyId = '11111111-1111-4111-8111-111111111111';
    const text = 'An old blocked post';
    await createAuditStore(database().db.knex).insertMany([
      auditRow({ request_id: legacyId, stage: 'ov-enforced', mode: 'enforced', decision: 'FAIL', allowed: false, content_sha256: contentSha256(text) }),
    ]);
    const needed = expectError(await override({ request_id: legacyId, actor: 'alice', reason: 'Ok.' }), 400, 'INVALID_REQUEST');
    expect(needed.details).toEqual([expect.objectContaining({ path: '/content' })]);
    const res = await override({ request_id: legacyId, actor: 'alice', reason: 'Ok.', content: text });
    expect(res.status).toBe(201);
    expect((await verify(res.body.receipt, text)).body).toMatchObject({ allowed_to_post: true, override: true });
  });

  it('is published in /openapi.json', async () => {
    const doc = (await request(gh.app).get('/openapi.json')).body as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(doc.paths['/v1/overrides']!).sort()).toEqual(['get', 'post']);
    expect(doc.paths['/v1/overrides']!.post!.responses).toHaveProperty('409');
    expect(doc.paths['/v1/reports/readiness']).toHaveProperty('get');
  });
});
