// Kill switch API, fleet attestation and fail-closed pins, in process on PGlite. Two gatehouses on
// one database stand in for two instances here (in-process notifications); the real two-process
// test on PostgreSQL is two-instances.test.ts.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gatehouse } from '../../../server/compose.js';
import * as S from '../../../contract/schemas/index.js';
import { ENVIRONMENT_NOTE } from '../../../server/rollout/kill-switch-service.js';
import { useDatabase } from '../../helpers/databases.js';
import { ADMIN_KEY, CONTENT, EVALUATOR_KEY, auth, buildGatehouse, conforms, evaluate, expectError, pin } from '../api/harness.js';

const database = useDatabase('pglite');
let a: Gatehouse;
let b: Gatehouse;

beforeAll(async () => {
  a = await buildGatehouse(database().db);
  b = await buildGatehouse(database().db);
  expect((await pin(a.app, 'ks', { mode: 'enforced' })).status).toBe(201);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});

const killSwitch = (app: Gatehouse['app'], body: unknown, key = ADMIN_KEY) => request(app).post('/v1/kill-switch').set(auth(key)).send(body as object);

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, limitMs = 2_000): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  for (;;) {
    const value = await probe();
    const ms = performance.now() - started;
    if (done(value) || ms > limitMs) return { value, ms };
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('POST /v1/kill-switch', () => {
  it('needs an admin key and a reason', async () => {
    expectError(await killSwitch(a.app, { engaged: true, reason: 'x' }, EVALUATOR_KEY), 403, 'FORBIDDEN');
    expectError(await request(a.app).get('/v1/kill-switch').set(auth(EVALUATOR_KEY)), 403, 'FORBIDDEN');
    expectError(await killSwitch(a.app, { engaged: true }), 400, 'INVALID_REQUEST');
    expectError(await killSwitch(a.app, { engaged: true, reason: '' }), 400, 'INVALID_REQUEST');
    expectError(await killSwitch(a.app, { engaged: true, reason: '   ' }), 400, 'INVALID_REQUEST');
    expectError(await killSwitch(a.app, { engaged: 'yes', reason: 'x' }), 400, 'INVALID_REQUEST');
    const initial = await request(a.app).get('/v1/kill-switch').set(auth(ADMIN_KEY));
    conforms(S.KillSwitch, initial.body);
    expect(initial.body).toEqual({ engaged: false, sources: { api: false, environment: false }, state: null, history: [] });
  });

  it('puts every stage off on this and the other instance, records who and why, and releases', async () => {
    expect((await evaluate(b.app, { content: CONTENT.profane, stage: 'ks' })).body).toMatchObject({ mode: 'enforced', decision: 'FAIL', allowed: false });

    const thrown = await killSwitch(a.app, { engaged: true, reason: 'incident 42: false positives on launch posts' });
    expect(thrown.status).toBe(200);
    conforms(S.KillSwitch, thrown.body);
    expect(thrown.body).toMatchObject({
      engaged: true,
      sources: { api: true, environment: false },
      state: { engaged: true, reason: 'incident 42: false positives on launch posts', changed_by: expect.stringMatching(/^env-admin-/), changed_by_id: expect.any(String) },
    });
    // Read-your-writes on the instance that threw it.
    expect((await evaluate(a.app, { content: CONTENT.profane, stage: 'ks' })).body).toMatchObject({ mode: 'off', decision: 'SKIPPED', allowed: true });
    const onB = await until(() => evaluate(b.app, { content: CONTENT.profane, stage: 'ks' }), (r) => r.body.decision === 'SKIPPED');
    expect(onB.value.body).toMatchObject({ mode: 'off', allowed: true });
    expect(onB.ms).toBeLessThan(1_000);
    expect((await request(b.app).get('/v1/stages').set(auth(EVALUATOR_KEY))).body).toMatchObject({ kill_switch: true });

    const released = await killSwitch(b.app, { engaged: false, reason: 'fixed in qa@1.0.1' });
    expect(released.body).toMatchObject({ engaged: false, sources: { api: false, environment: false }, state: { engaged: false, reason: 'fixed in qa@1.0.1' } });
    expect(released.body.history.map((h: { engaged: boolean; reason: string }) => [h.engaged, h.reason])).toEqual([
      [false, 'fixed in qa@1.0.1'],
      [true, 'incident 42: false positives on launch posts'],
    ]);
    const back = await until(() => evaluate(a.app, { content: CONTENT.profane, stage: 'ks' }), (r) => r.body.mode === 'enforced');
    expect(back.value.body).toMatchObject({ decision: 'FAIL', allowed: false });
  });

  it('GATEHOUSE_KILL_SWITCH=1 cannot be released through the API, and the answer says so', async () => {
    const pinned = await buildGatehouse(database().db, { env: { GATEHOUSE_KILL_SWITCH: '1' } });
    try {
      const res = await killSwitch(pinned.app, { engaged: false, reason: 'try to release' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ engaged: true, sources: { api: false, environment: true }, note: ENVIRONMENT_NOTE });
      expect(res.body.note).toMatch(/cannot be released through the API/);
      expect((await evaluate(pinned.app, { content: CONTENT.profane, stage: 'ks' })).body).toMatchObject({ mode: 'off', decision: 'SKIPPED' });
    } finally {
      await pinned.close();
    }
  });
});

describe('kill switch history', () => {
  it('is append-only', async () => {
    const knex = database().db.knex;
    expect((await knex('kill_switch_history').count({ n: '*' }))[0].n).not.toBe(0);
    await expect(knex('kill_switch_history').update({ reason: 'rewritten' })).rejects.toThrow(/append-only/);
    await expect(knex('kill_switch_history').delete()).rejects.toThrow(/append-only/);
    await expect(knex.raw('TRUNCATE kill_switch_history')).rejects.toThrow(/append-only/);
  });
});

describe('fleet attestation and fail-closed pins', () => {
  it('GET /v1/fleet lists both instances on the pinned hash', async () => {
    await pin(a.app, 'fl', { mode: 'advisory' });
    const published = (await request(a.app).get('/v1/packs/qa/versions').set(auth(ADMIN_KEY))).body.items.find((v: { version: string }) => v.version === '2.0.0');
    const { value: res } = await until(
      () => request(a.app).get('/v1/fleet').set(auth(ADMIN_KEY)),
      (r) => r.body.instances?.filter((i: { stages: { stage: string }[]; status: string }) => i.status === 'live' && i.stages.some((s) => s.stage === 'fl')).length >= 2,
    );
    expect(res.status).toBe(200);
    conforms(S.Fleet, res.body);
    const ids = [a.rollout.instanceId, b.rollout.instanceId];
    const mine = res.body.instances.filter((i: { instance_id: string }) => ids.includes(i.instance_id));
    expect(mine).toHaveLength(2);
    for (const instance of mine) {
      expect(instance).toMatchObject({ status: 'live', in_sync: true, mismatches: [], kill_switch: { engaged: false }, pid: process.pid });
      expect(instance.instance_id).toMatch(/^.+:\d+:[0-9a-f]{8}$/);
      expect(instance.stages.find((s: { stage: string }) => s.stage === 'fl')).toMatchObject({ pack: 'qa', version: '2.0.0', hash: published.hash, status: 'serving', effective_mode: 'advisory' });
    }
    expect(res.body.pins.find((p: { stage: string }) => p.stage === 'fl')).toMatchObject({ hash: published.hash });
    expectError(await request(a.app).get('/v1/fleet').set(auth(EVALUATOR_KEY)), 403, 'FORBIDDEN');
  });

  it('a pin this instance cannot compile fails closed: POLICY_VERSION_UNAVAILABLE, never the older version; /readyz unready for the stage', async () => {
    expect((await pin(a.app, 'fc', { mode: 'enforced' })).status).toBe(201);
    expect((await evaluate(a.app, { content: CONTENT.pass, stage: 'fc' })).body).toMatchObject({ decision: 'PASS', policy: { version: '2.0.0' } });

    // A version published by a server that could compile it; this one cannot.
    await a.stores.packs.publish({ pack_id: 'qa', version: '6.6.6', hash: 'sha256:from-a-newer-server', resolved: { id: 'qa', version: '6.6.6' } });
    expectError(await pin(a.app, 'fc', { version: '6.6.6' }), 400, 'INVALID_REQUEST');
    await a.stores.stages.pin('fc', { pack_id: 'qa', version: '6.6.6', mode: 'enforced' }, 'newer-server');
    await a.rollout.state.refresh();

    const error = expectError(await evaluate(a.app, { content: CONTENT.pass, stage: 'fc' }), 503, 'POLICY_VERSION_UNAVAILABLE');
    expect(error.details).toMatchObject({ pack: 'qa', version: '6.6.6' });
    expect(error.suggestedFix).toMatch(/will not serve another one/);
    // Other stages still serve.
    expect((await evaluate(a.app, { content: CONTENT.pass, stage: 'fl' })).status).toBe(200);

    const ready = await request(a.app).get('/readyz');
    const notReady = expectError(ready, 503, 'NOT_READY');
    expect(notReady.details).toMatchObject({ checks: { stages: { ok: false, unready: ['fc'], stages: { fc: { ok: false, status: 'unavailable', version: '6.6.6' }, fl: { ok: true } } } } });

    await a.rollout.fleet.report();
    const fleet = (await request(a.app).get('/v1/fleet').set(auth(ADMIN_KEY))).body;
    const me = fleet.instances.find((i: { instance_id: string }) => i.instance_id === a.rollout.instanceId);
    expect(me.in_sync).toBe(false);
    expect(me.mismatches).toContainEqual(expect.objectContaining({ stage: 'fc', kind: 'unavailable', expected: 'qa@6.6.6' }));
    expect(fleet.summary.out_of_sync).toBeGreaterThanOrEqual(1);

    // The kill switch still works on that stage: off answers SKIPPED without the pack.
    await killSwitch(a.app, { engaged: true, reason: 'fail-closed stage' });
    expect((await evaluate(a.app, { content: CONTENT.pass, stage: 'fc' })).body).toMatchObject({ decision: 'SKIPPED', mode: 'off', policy: { version: '6.6.6' } });
    expect((await request(a.app).get('/readyz')).status).toBe(200);
    await killSwitch(a.app, { engaged: false, reason: 'done' });

    // Pinning a version it can serve makes it ready again.
    expect((await pin(a.app, 'fc', { version: '2.0.0' })).status).toBe(200);
    expect((await evaluate(a.app, { content: CONTENT.pass, stage: 'fc' })).body).toMatchObject({ decision: 'PASS', policy: { version: '2.0.0' } });
    expect((await request(a.app).get('/readyz')).status).toBe(200);
  });

  it('an instance not seen for more than three of its intervals is stale, and not counted out of sync', async () => {
    const knex = database().db.knex;
    await knex('fleet_instances').insert({
      instance_id: 'old-host:42:deadbeef', hostname: 'old-host', pid: 42, version: '0.0.1', started_at: new Date(Date.now() - 3_600_000),
      last_seen_at: knex.raw("now() - interval '31 seconds'"), last_refresh_at: null, interval_ms: 10_000, stopped_at: null,
      kill_switch: JSON.stringify({ engaged: false, api: false, environment: false }), mode_ceiling: 'enforced', stages: '[]', runtime: '{}',
    });
    const fleet = (await request(a.app).get('/v1/fleet').set(auth(ADMIN_KEY))).body;
    conforms(S.Fleet, fleet);
    const old = fleet.instances.find((i: { instance_id: string }) => i.instance_id === 'old-host:42:deadbeef');
    expect(old).toMatchObject({ status: 'stale', in_sync: false });
    expect(old.mismatches.map((m: { kind: string }) => m.kind)).toContain('missing');
    expect(fleet.summary.stale).toBe(1);
    expect(fleet.summary.out_of_sync).toBe(fleet.instances.filter((i: { status: string; in_sync: boolean }) => i.status === 'live' && !i.in_sync).length);
  });

  it('a closed instance is shown as stopped', async () => {
    const short = await buildGatehouse(database().db);
    const id = short.rollout.instanceId;
    await short.close();
    const fleet = (await request(a.app).get('/v1/fleet').set(auth(ADMIN_KEY))).body;
    expect(fleet.instances.find((i: { instance_id: string }) => i.instance_id === id)).toMatchObject({ status: 'stopped', stopped_at: expect.any(String) });
  });
});
