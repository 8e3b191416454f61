// Shadow evaluation, in process on PGlite: the candidate's flips are reported while every answer
// stays exactly that of the pinned version alone, and the candidate never slows the answer.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate as engineEvaluate } from '../../../engine/index.js';
import type { Gatehouse } from '../../../server/compose.js';
import * as S from '../../../contract/schemas/index.js';
import { useDatabase } from '../../helpers/databases.js';
import { ADMIN_KEY, EVALUATOR_KEY, auth, buildGatehouse, conforms, evaluate, expectError, pin } from '../api/harness.js';
import { TEXTS, makeRulesDir } from './rules.js';

const database = useDatabase('pglite');
const rules = makeRulesDir();
// The candidate is made slow on purpose: if it ran on the request's path, answers would take ≥ this.
const CANDIDATE_DELAY_MS = 400;
let gh: Gatehouse;

beforeAll(async () => {
  gh = await buildGatehouse(database().db, {
    env: { GATEHOUSE_RULES_DIR: rules.dir },
    evaluate: async (pack, input) => {
      if (pack.version === '2.1.0') await new Promise((r) => setTimeout(r, CANDIDATE_DELAY_MS));
      return engineEvaluate(pack, input);
    },
  });
});
afterAll(async () => {
  await gh?.close();
  rules.cleanup();
});

/** The answer without what differs between any two evaluations (ids, receipt, stage). */
function comparable(body: Record<string, unknown>) {
  const { request_id: _r, receipt_id: _c, receipt: _t, stage: _s, ...rest } = body;
  return rest;
}

describe('PUT /v1/stages/:stage with a shadow candidate', () => {
  it('accepts a published candidate, refuses others, keeps it on later pins and clears it with null', async () => {
    const created = await pin(gh.app, 'sh-pin', { mode: 'advisory', shadow: 'qa@2.1.0' } as Record<string, string>);
    expect(created.status).toBe(201);
    conforms(S.Stage, created.body);
    expect(created.body).toMatchObject({ stage: 'sh-pin', version: '2.0.0', shadow: 'qa@2.1.0' });
    // Omitted: kept.
    expect((await pin(gh.app, 'sh-pin', { mode: 'enforced' })).body.shadow).toBe('qa@2.1.0');
    expectError(await pin(gh.app, 'sh-pin', { shadow: 'qa@9.9.9' } as Record<string, string>), 404, 'POLICY_VERSION_NOT_FOUND');
    expectError(await pin(gh.app, 'sh-pin', { shadow: 'qa-2.1.0' } as Record<string, string>), 400, 'INVALID_REQUEST');
    const cleared = await request(gh.app).put('/v1/stages/sh-pin').set(auth(ADMIN_KEY)).send({ pack: 'qa', version: '2.0.0', shadow: null });
    expect(cleared.body.shadow).toBeNull();
    // Promoting the candidate to the pin ends the comparison.
    await pin(gh.app, 'sh-pin', { shadow: 'qa@2.1.0' } as Record<string, string>);
    expect((await pin(gh.app, 'sh-pin', { version: '2.1.0' })).body.shadow).toBeNull();
    const history = await request(gh.app).get('/v1/stages/sh-pin/history').set(auth(ADMIN_KEY));
    conforms(S.StageHistory, history.body);
    expect(history.body.items[0]).toMatchObject({ from: { version: '2.0.0', shadow: 'qa@2.1.0' }, to: { version: '2.1.0' } });
    expect(history.body.items[0].to).not.toHaveProperty('shadow');
  });
});

describe('shadow evaluation', () => {
  it.each(['advisory', 'enforced'] as const)('%s: every answer equals the pinned version alone; the report lists exactly the flips', async (mode) => {
    const shadowed = `sh-${mode}`;
    const control = `ct-${mode}`;
    expect((await pin(gh.app, shadowed, { mode, shadow: 'qa@2.1.0' } as Record<string, string>)).status).toBe(201);
    expect((await pin(gh.app, control, { mode })).status).toBe(201);

    const ids: Record<string, string> = {};
    for (const [name, text] of Object.entries(TEXTS)) {
      const started = performance.now();
      const answer = await evaluate(gh.app, { content: text.content, stage: shadowed, workflow_id: `wf-${name}` });
      const elapsed = performance.now() - started;
      const alone = await evaluate(gh.app, { content: text.content, stage: control, workflow_id: `wf-${name}` });
      expect(answer.status).toBe(200);
      expect(comparable(answer.body)).toEqual(comparable(alone.body));
      expect(answer.body).toMatchObject({ decision: text.pinned, policy: { version: '2.0.0' }, mode });
      expect(JSON.stringify(answer.body)).not.toContain('2.1.0');
      expect(elapsed, `${name} answered in ${elapsed.toFixed(0)} ms`).toBeLessThan(CANDIDATE_DELAY_MS);
      ids[name] = answer.body.request_id;
    }

    await gh.rollout.shadow.idle();
    const rows = await database().db.knex('shadow_results').where({ stage: shadowed });
    expect(rows).toHaveLength(Object.keys(TEXTS).length);
    for (const [name, text] of Object.entries(TEXTS)) {
      expect(rows.find((r) => r.request_id === ids[name]), name).toMatchObject({ decision: text.pinned, shadow_decision: text.candidate, shadow_version: '2.1.0', policy_version: '2.0.0' });
    }
    // The audit rows are those of the pinned version: the candidate lives in its own table.
    const audit = await database().db.knex('audit_events').whereIn('request_id', Object.values(ids));
    expect(audit.every((r) => r.policy_version === '2.0.0')).toBe(true);
    expect(await database().db.knex('shadow_results').where({ stage: control })).toHaveLength(0);

    const res = await request(gh.app).get('/v1/reports/shadow').query({ stage: shadowed, examples: 5 }).set(auth(ADMIN_KEY));
    expect(res.status).toBe(200);
    conforms(S.ShadowReport, res.body);
    const report = res.body;
    expect(report).toMatchObject({
      stage: shadowed,
      candidate: null,
      compared: 6,
      errors: 0,
      same_decision: 4,
      flips: { pass_to_fail: 1, fail_to_pass: 1 },
      codes_changed: 1,
      pairs: [{ policy: 'qa@2.0.0', candidate: 'qa@2.1.0', compared: 6, errors: 0 }],
    });
    expect(report.codes).toEqual([
      { code: 'PROFANITY', gained: 1, lost: 0, gained_in_pass_to_fail: 1, lost_in_fail_to_pass: 0 },
      { code: 'TOS_FAKE_ENGAGEMENT', gained: 0, lost: 2, gained_in_pass_to_fail: 0, lost_in_fail_to_pass: 1 },
    ]);
    const examples = Object.fromEntries(report.examples.map((e: { kind: string; request_id: string }) => [e.kind, e]));
    expect(report.examples).toHaveLength(3);
    expect(examples.PASS_TO_FAIL).toMatchObject({ request_id: ids.gained, decision: 'PASS', shadow_decision: 'FAIL', gained: ['PROFANITY'], lost: [] });
    // Content storage is off (the default): neither shadow_results nor the audit row keeps even masked evidence.
    expect(examples.PASS_TO_FAIL.evidence).toEqual([{ side: 'candidate', code: 'PROFANITY', post: 0 }]);
    expect(examples.FAIL_TO_PASS).toMatchObject({ request_id: ids.lost, gained: [], lost: ['TOS_FAKE_ENGAGEMENT'] });
    expect(examples.FAIL_TO_PASS.evidence).toEqual([{ side: 'pinned', code: 'TOS_FAKE_ENGAGEMENT', post: 0 }]);
    expect(examples.CODES_CHANGED).toMatchObject({ request_id: ids.codesOnly, decision: 'FAIL', shadow_decision: 'FAIL', lost: ['TOS_FAKE_ENGAGEMENT'] });
    // Masked evidence only; no content unless content storage is configured.
    const text = JSON.stringify(report);
    for (const raw of ['frak', 'sub4sub', 'fucking']) expect(text).not.toContain(raw);
    expect(report.examples.every((e: object) => !('content' in e))).toBe(true);

    // Filters: by candidate and by time.
    const other = await request(gh.app).get('/v1/reports/shadow').query({ stage: shadowed, candidate: 'qa@2.0.0' }).set(auth(ADMIN_KEY));
    expect(other.body).toMatchObject({ candidate: 'qa@2.0.0', compared: 0, flips: { pass_to_fail: 0, fail_to_pass: 0 }, codes: [], examples: [] });
    const future = await request(gh.app).get('/v1/reports/shadow').query({ stage: shadowed, from: new Date(Date.now() + 60_000).toISOString() }).set(auth(ADMIN_KEY));
    expect(future.body.compared).toBe(0);
  });

  it('shadow results are append-only', async () => {
    const knex = database().db.knex;
    expect(Number((await knex('shadow_results').count({ n: '*' }))[0].n)).toBeGreaterThan(0);
    await expect(knex('shadow_results').update({ shadow_decision: 'PASS' })).rejects.toThrow(/append-only/);
    await expect(knex('shadow_results').delete()).rejects.toThrow(/append-only/);
    await expect(knex.raw('TRUNCATE shadow_results')).rejects.toThrow(/append-only/);
  });

  it('is admin-only and validates its query', async () => {
    expectError(await request(gh.app).get('/v1/reports/shadow').query({ stage: 'sh-advisory' }).set(auth(EVALUATOR_KEY)), 403, 'FORBIDDEN');
    expectError(await request(gh.app).get('/v1/reports/shadow').set(auth(ADMIN_KEY)), 400, 'INVALID_REQUEST');
    expectError(await request(gh.app).get('/v1/reports/shadow').query({ stage: 'x', from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }).set(auth(ADMIN_KEY)), 400, 'INVALID_REQUEST');
  });

  it('off stages are not shadowed (nothing to compare), and a candidate that cannot run is counted, never answered', async () => {
    await pin(gh.app, 'sh-off', { mode: 'off', shadow: 'qa@2.1.0' } as Record<string, string>);
    const skipped = await evaluate(gh.app, { content: TEXTS.gained.content, stage: 'sh-off' });
    expect(skipped.body.decision).toBe('SKIPPED');

    // A candidate that this instance cannot compile (published by a newer server, say).
    await gh.stores.packs.publish({ pack_id: 'qa', version: '7.0.0-broken', hash: 'sha256:broken', resolved: { id: 'qa' } });
    await gh.stores.stages.pin('sh-broken', { pack_id: 'qa', version: '2.0.0', mode: 'advisory', shadow: 'qa@7.0.0-broken' }, 'test');
    await gh.rollout.state.refresh();
    const answer = await evaluate(gh.app, { content: TEXTS.gained.content, stage: 'sh-broken' });
    expect(answer.body).toMatchObject({ decision: 'PASS', audit_ok: true, policy: { version: '2.0.0' } });
    await gh.rollout.shadow.idle();
    await gh.rollout.shadow.idle();
    expect(await database().db.knex('shadow_results').where({ stage: 'sh-off' })).toHaveLength(0);
    const report = await request(gh.app).get('/v1/reports/shadow').query({ stage: 'sh-broken' }).set(auth(ADMIN_KEY));
    expect(report.body).toMatchObject({ compared: 0, errors: 1, pairs: [{ candidate: 'qa@7.0.0-broken', errors: 1 }] });
  });
});
