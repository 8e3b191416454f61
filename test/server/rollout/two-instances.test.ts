// Two real server processes (node dist/server/cli.js serve) on one fresh PostgreSQL database:
// a kill switch thrown on A, its release, and a pin change on A are measured until B serves
// them; /v1/fleet shows both on the pinned hash; a dropped LISTEN connection reconnects.
// The poll is set to 60 s here, so every figure measured comes from LISTEN/NOTIFY alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDatabase, unavailableReason, type TestDatabase } from '../../helpers/databases.js';
import { call, startServer, type ServerProcess } from '../../helpers/server-process.js';
import { TEXTS, makeRulesDir } from './rules.js';

const ADMIN = 'two-instances-admin-key-0123456789';
const EVALUATOR = 'two-instances-evaluator-key-0123456789';
const PROPAGATION_LIMIT_MS = 1_000;

const rules = makeRulesDir();
const dataDirs: string[] = [];
const running: ServerProcess[] = [];
let database: TestDatabase | undefined;
let skip: string | undefined;
/** Measured figures, printed once at the end (and kept in the test report). */
const measured: Record<string, number> = {};

beforeAll(async () => {
  skip = await unavailableReason('postgres');
  if (skip === undefined) database = await makeDatabase('postgres', { migrate: false });
}, 60_000);

afterAll(async () => {
  for (const r of running) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  await Promise.all(running.map((r) => r.exit));
  await database?.cleanup();
  rules.cleanup();
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
  if (Object.keys(measured).length > 0) console.info(`[two instances] propagation (ms): ${JSON.stringify(measured)}`);
}, 60_000);

async function start(name: string): Promise<ServerProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `gh-two-${name}-`));
  dataDirs.push(dataDir);
  const r = await startServer({
    DATABASE_URL: database!.url!,
    GATEHOUSE_DATA_DIR: dataDir,
    GATEHOUSE_RULES_DIR: rules.dir,
    GATEHOUSE_API_KEYS: `admin:${ADMIN},evaluator:${EVALUATOR}`,
    GATEHOUSE_ROLLOUT_POLL_MS: '60000',
    GATEHOUSE_FLEET_INTERVAL_MS: '1000',
  });
  running.push(r);
  return r;
}

const evaluateOn = (r: ServerProcess) => call(r, 'POST', '/v1/evaluate', EVALUATOR, { content: TEXTS.same.content, stage: 'prod' });

/** Runs `change` on A, then asks B as fast as it answers until `served`; ms from the start of `change`. */
async function measure(
  label: string,
  change: () => Promise<unknown>,
  probe: () => Promise<{ body: Record<string, any> }>,
  served: (body: Record<string, any>) => boolean,
  withinMs = 10_000,
) {
  const started = performance.now();
  await change();
  let last: Record<string, any> = {};
  while (performance.now() - started < withinMs) {
    last = (await probe()).body;
    if (served(last)) {
      measured[label] = Math.round(performance.now() - started);
      return { ms: performance.now() - started, body: last };
    }
  }
  throw new Error(`${label}: not served within ${withinMs} ms; last answer ${JSON.stringify(last)}`);
}

describe('two server processes on one PostgreSQL database', () => {
  let a: ServerProcess;
  let b: ServerProcess;

  it('start one after the other (A applies the migrations)', async (ctx) => {
    if (skip) ctx.skip(skip);
    a = await start('a');
    b = await start('b');
    expect((await call(a, 'PUT', '/v1/stages/prod', ADMIN, { pack: 'qa', version: '2.0.0', mode: 'enforced' })).status).toBe(201);
    const first = await measure('first evaluation on B (new stage, includes warm-up)', async () => undefined, () => evaluateOn(b), (body) => body.decision === 'FAIL');
    expect(first.body).toMatchObject({ mode: 'enforced', allowed: false, policy: { version: '2.0.0' } });
    // Propagation is measured in the steady state: until their engine workers have compiled
    // every pack (seconds of CPU per thread), both processes compete with them for two cores.
    await measure(
      'engine workers ready on both (after start)',
      async () => undefined,
      () => call(b, 'GET', '/v1/fleet', ADMIN),
      (body) => body.instances?.length === 2 && body.instances.every((i: any) => i.runtime?.engine?.ready === true),
      60_000,
    );
  }, 120_000);

  it('a kill switch thrown on A is served by B within 1 s, and so is its release', async (ctx) => {
    if (skip || !b) ctx.skip(skip ?? 'no instances');
    const thrown = await measure(
      'kill switch engaged',
      () => call(a, 'POST', '/v1/kill-switch', ADMIN, { engaged: true, reason: 'two-instance test' }),
      () => evaluateOn(b),
      (body) => body.decision === 'SKIPPED',
    );
    expect(thrown.body).toMatchObject({ mode: 'off', allowed: true });
    expect(thrown.ms).toBeLessThan(PROPAGATION_LIMIT_MS);

    const released = await measure(
      'kill switch released',
      () => call(a, 'POST', '/v1/kill-switch', ADMIN, { engaged: false, reason: 'two-instance test done' }),
      () => evaluateOn(b),
      (body) => body.mode === 'enforced',
    );
    expect(released.body).toMatchObject({ decision: 'FAIL', allowed: false });
    expect(released.ms).toBeLessThan(PROPAGATION_LIMIT_MS);
  });

  it('a pin change on A is served by B within 1 s; /v1/fleet shows both instances on the pinned hash', async (ctx) => {
    if (skip || !b) ctx.skip(skip ?? 'no instances');
    const changed = await measure(
      'pin change',
      () => call(a, 'PUT', '/v1/stages/prod', ADMIN, { pack: 'qa', version: '2.1.0' }),
      () => call(b, 'POST', '/v1/evaluate', EVALUATOR, { content: TEXTS.gained.content, stage: 'prod' }),
      (body) => body.policy?.version === '2.1.0',
    );
    expect(changed.body).toMatchObject({ decision: 'FAIL', mode: 'enforced' });
    expect(changed.ms).toBeLessThan(PROPAGATION_LIMIT_MS);

    const versions = (await call(b, 'GET', '/v1/packs/qa/versions', ADMIN)).body.items as { version: string; hash: string }[];
    const hash = versions.find((v) => v.version === '2.1.0')!.hash;
    const fleet = await measure(
      'fleet in sync',
      async () => undefined,
      () => call(b, 'GET', '/v1/fleet', ADMIN),
      (body) => body.summary?.live === 2 && body.summary?.out_of_sync === 0,
    );
    expect(fleet.body.pins).toEqual([expect.objectContaining({ stage: 'prod', pack: 'qa', version: '2.1.0', hash })]);
    expect(fleet.body.instances).toHaveLength(2);
    expect(new Set(fleet.body.instances.map((i: { pid: number }) => i.pid))).toEqual(new Set([a.child.pid, b.child.pid]));
    for (const instance of fleet.body.instances) {
      expect(instance).toMatchObject({ status: 'live', in_sync: true, mismatches: [], runtime: { bus: { transport: 'postgres', listening: true }, engine: { ready: true, packs: expect.arrayContaining([`qa@2.1.0#${hash}`]) } } });
      expect(instance.stages).toEqual([expect.objectContaining({ stage: 'prod', version: '2.1.0', hash, status: 'serving', effective_mode: 'enforced' })]);
    }
  });

  it('shadow on PostgreSQL: B evaluates the candidate off the answer path, A reports the flips', async (ctx) => {
    if (skip || !b) ctx.skip(skip ?? 'no instances');
    const set = await call(a, 'PUT', '/v1/stages/prod', ADMIN, { pack: 'qa', version: '2.0.0', shadow: 'qa@2.1.0' });
    expect(set.body).toMatchObject({ version: '2.0.0', shadow: 'qa@2.1.0' });
    await measure(
      'pin with shadow',
      async () => undefined,
      () => call(b, 'POST', '/v1/evaluate', EVALUATOR, { content: TEXTS.pass.content, stage: 'prod' }),
      (body) => body.policy?.version === '2.0.0',
    );
    const gained = await call(b, 'POST', '/v1/evaluate', EVALUATOR, { content: TEXTS.gained.content, stage: 'prod' });
    const lost = await call(b, 'POST', '/v1/evaluate', EVALUATOR, { content: TEXTS.lost.content, stage: 'prod' });
    expect(gained.body).toMatchObject({ decision: 'PASS', allowed: true, policy: { version: '2.0.0' } });
    expect(lost.body).toMatchObject({ decision: 'FAIL', allowed: false, policy: { version: '2.0.0' } });
    const { body: report } = await measure(
      'shadow report',
      async () => undefined,
      () => call(a, 'GET', '/v1/reports/shadow?stage=prod&candidate=qa@2.1.0', ADMIN),
      (body) => body.flips?.pass_to_fail + body.flips?.fail_to_pass === 2,
    );
    expect(report.flips).toEqual({ pass_to_fail: 1, fail_to_pass: 1 });
    expect(report.same_decision).toBe(report.compared - 2);
    expect(report.codes).toEqual([
      { code: 'PROFANITY', gained: 1, lost: 0, gained_in_pass_to_fail: 1, lost_in_fail_to_pass: 0 },
      { code: 'TOS_FAKE_ENGAGEMENT', gained: 0, lost: 1, gained_in_pass_to_fail: 0, lost_in_fail_to_pass: 1 },
    ]);
    expect(report.examples.map((e: { kind: string; request_id: string }) => [e.kind, e.request_id]).sort()).toEqual(
      [['FAIL_TO_PASS', lost.body.request_id], ['PASS_TO_FAIL', gained.body.request_id]].sort(),
    );
  });

  it('a dropped LISTEN connection reconnects and catches up', async (ctx) => {
    if (skip || !b) ctx.skip(skip ?? 'no instances');
    const admin = new pg.Client({ connectionString: database!.url });
    await admin.connect();
    try {
      const killed = await admin.query(
        "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'gatehouse-listen%'",
      );
      expect(killed.rows).toHaveLength(2);
    } finally {
      await admin.end();
    }
    const thrown = await measure(
      'kill switch after LISTEN reconnect',
      () => call(a, 'POST', '/v1/kill-switch', ADMIN, { engaged: true, reason: 'after reconnect' }),
      () => evaluateOn(b),
      (body) => body.decision === 'SKIPPED',
    );
    expect(thrown.ms).toBeLessThan(PROPAGATION_LIMIT_MS * 2);
    await call(a, 'POST', '/v1/kill-switch', ADMIN, { engaged: false, reason: 'after reconnect done' });
    const fleet = await measure(
      'fleet after reconnect',
      async () => undefined,
      () => call(a, 'GET', '/v1/fleet', ADMIN),
      // In sync again too: right after the release, an instance may not have reported it yet.
      (body) =>
        body.summary?.out_of_sync === 0 &&
        body.instances?.every((i: { runtime: { bus: { reconnects: number; listening: boolean } } }) => i.runtime.bus.reconnects >= 1 && i.runtime.bus.listening),
    );
    expect(fleet.body.summary).toMatchObject({ live: 2, out_of_sync: 0 });
  });

  it('stopping A: exits 0 and B lists it as stopped', async (ctx) => {
    if (skip || !b) ctx.skip(skip ?? 'no instances');
    a.child.kill('SIGTERM');
    expect(await a.exit).toBe(0);
    const fleet = (await call(b, 'GET', '/v1/fleet', ADMIN)).body;
    expect(fleet.instances.find((i: { pid: number }) => i.pid === a.child.pid)).toMatchObject({ status: 'stopped' });
    b.child.kill('SIGTERM');
    expect(await b.exit).toBe(0);
  });
});
