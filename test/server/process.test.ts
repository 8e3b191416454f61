// Starts the real server process, as `npm start` does (node dist/server/cli.js serve), and drives it over HTTP.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { call, startServer, stopServer as stop, type ServerProcess } from '../helpers/server-process.js';

const ADMIN = 'process-admin-key-0123456789';
const EVALUATOR = 'process-evaluator-key-0123456789';
const FAIL_TEXT = 'This fucking planner is the best thing we have built.';

const started: ServerProcess[] = [];
const dirs: string[] = [];

afterAll(() => {
  for (const r of started) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function start(dataDir: string, env: Record<string, string>): Promise<ServerProcess> {
  const running = await startServer({ GATEHOUSE_DATA_DIR: dataDir, ...env });
  started.push(running);
  return running;
}

describe('the server process', () => {
  it('serves the rollout over real HTTP: dev advisory, then enforced; exits 0 on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gh-proc-'));
    dirs.push(dataDir);
    const r = await start(dataDir, { GATEHOUSE_API_KEYS: `admin:${ADMIN},evaluator:${EVALUATOR}` });

    expect((await fetch(`${r.url}/healthz`)).status).toBe(200);
    expect((await call(r, 'GET', '/v1/packs', EVALUATOR)).body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ pack: 'qa', version: '2.0.0' })]),
    );
    expect((await call(r, 'PUT', '/v1/stages/dev', EVALUATOR, { pack: 'qa', version: '2.0.0', mode: 'advisory' })).status).toBe(403);

    const advisoryPin = await call(r, 'PUT', '/v1/stages/dev', ADMIN, { pack: 'qa', version: '2.0.0', mode: 'advisory' });
    expect(advisoryPin).toMatchObject({ status: 201, body: { stage: 'dev', mode: 'advisory' } });
    const advisory = await call(r, 'POST', '/v1/evaluate', EVALUATOR, { content: FAIL_TEXT, stage: 'dev' });
    expect(advisory.status).toBe(200);
    expect(advisory.body).toMatchObject({ mode: 'advisory', decision: 'FAIL', allowed: true, audit_ok: true });
    expect(advisory.body.warnings.map((w: { code: string }) => w.code)).toContain('PROFANITY');

    expect((await call(r, 'PUT', '/v1/stages/dev', ADMIN, { pack: 'qa', version: '2.0.0', mode: 'enforced' })).status).toBe(200);
    const enforced = await call(r, 'POST', '/v1/evaluate', EVALUATOR, { content: FAIL_TEXT, stage: 'dev' });
    expect(enforced.body).toMatchObject({ mode: 'enforced', decision: 'FAIL', allowed: false, audit_ok: true, error: { code: 'QA_REJECTED' } });
    expect(enforced.body.error.suggestedFix).toEqual(expect.any(String));
    const verified = await call(r, 'POST', '/v1/receipts/verify', EVALUATOR, { receipt: enforced.body.receipt, content: FAIL_TEXT });
    expect(verified.body).toMatchObject({ valid: true, allowed_to_post: false });

    const audit = await call(r, 'GET', '/v1/audit?stage=dev', ADMIN);
    expect(audit.body.items.map((i: { request_id: string }) => i.request_id).sort()).toEqual([advisory.body.request_id, enforced.body.request_id].sort());
    expect(r.stdout() + r.stderr()).not.toContain(ADMIN);

    expect(await stop(r)).toBe(0);
    expect(existsSync(path.join(dataDir, 'gatehouse.lock'))).toBe(false);
  });

  it('prints a generated admin key once at first start, and never again', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gh-proc-'));
    dirs.push(dataDir);
    const first = await start(dataDir, {});
    const key = /\b(gh_[A-Za-z0-9_-]{43})\b/.exec(first.stdout())?.[1];
    expect(key, `no key in stdout: ${first.stdout()}`).toBeDefined();
    expect((await call(first, 'GET', '/v1/audit', key!)).status).toBe(200);
    expect(await stop(first)).toBe(0);

    const second = await start(dataDir, {});
    expect(second.stdout()).not.toMatch(/gh_[A-Za-z0-9_-]{43}/);
    expect((await call(second, 'GET', '/v1/audit', key!)).status).toBe(200);
    expect(await stop(second)).toBe(0);
  });

  it('restarts from the pack cache in its data dir, and its worker threads answer as before (decision 23)', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gh-proc-'));
    dirs.push(dataDir);
    // The default cache (in the data dir), not the suite's; the worker threads take every post.
    const env = { GATEHOUSE_API_KEYS: `admin:${ADMIN},evaluator:${EVALUATOR}`, GATEHOUSE_PACK_CACHE_DIR: path.join(dataDir, 'pack-cache'), GATEHOUSE_LOG_LEVEL: 'info', GATEHOUSE_ENGINE_INLINE_CHARS: '0' };
    const answers = async (r: ServerProcess) => {
      const out = [];
      for (const content of [FAIL_TEXT, 'I will find you and stab you tonight.', 'Lovely walk by the river today.']) {
        const { body } = await call(r, 'POST', '/v1/evaluate', EVALUATOR, { content, stage: 'dev' });
        out.push([body.decision, body.policy_version, [...(body.violations ?? []), ...(body.warnings ?? [])].map((w: { code: string }) => w.code)]);
      }
      return out;
    };
    const first = await start(dataDir, env);
    expect(first.stdout()).not.toContain('pack compiled from the pack cache');
    expect((await call(first, 'PUT', '/v1/stages/dev', ADMIN, { pack: 'qa', version: '2.0.0', mode: 'advisory' })).status).toBe(201);
    const before = await answers(first);
    expect(await stop(first)).toBe(0);
    expect(existsSync(path.join(dataDir, 'pack-cache'))).toBe(true);

    const second = await start(dataDir, env);
    expect(second.stdout()).toContain('pack compiled from the pack cache');
    expect(await answers(second)).toEqual(before);
    expect(before.map(([decision]) => decision)).toEqual(['FAIL', 'FAIL', 'PASS']);
    expect(await stop(second)).toBe(0);
  });
});
