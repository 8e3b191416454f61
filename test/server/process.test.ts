// Starts the real server process, as `npm start` does (node dist/server/cli.js serve), and drives it over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'dist/server/cli.js');
const ADMIN = 'process-admin-key-0123456789';
const EVALUATOR = 'process-evaluator-key-0123456789';
const FAIL_TEXT = 'This fucking planner is the best thing we have built.';

interface Running {
  child: ChildProcess;
  url: string;
  stdout: string[];
  stderr: string[];
  exit: Promise<number | null>;
}

const started: Running[] = [];
const dirs: string[] = [];

afterAll(() => {
  for (const r of started) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function start(dataDir: string, env: Record<string, string>): Promise<Running> {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: this test runs the built server. Run \`npm run build\` (npm ci builds it through \`prepare\`).`);
  }
  const port = await freePort();
  const { DATABASE_URL: _ignored, ...parentEnv } = process.env;
  const child = spawn(process.execPath, [CLI, 'serve'], {
    cwd: ROOT,
    env: { ...parentEnv, PORT: String(port), GATEHOUSE_HOST: '127.0.0.1', GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_RULES_DIR: path.join(ROOT, 'rules'), GATEHOUSE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const running: Running = {
    child,
    url: `http://127.0.0.1:${port}`,
    stdout: [],
    stderr: [],
    exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  child.stdout!.on('data', (d: Buffer) => running.stdout.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => running.stderr.push(d.toString()));
  started.push(running);
  await waitReady(running);
  return running;
}

async function waitReady(r: Running): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (r.child.exitCode !== null) throw new Error(`server exited with ${r.child.exitCode}: ${r.stderr.join('')}${r.stdout.join('')}`);
    try {
      if ((await fetch(`${r.url}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`server not ready within 60 s: ${r.stderr.join('')}`);
}

async function call(r: Running, method: string, url: string, key: string, body?: unknown) {
  const res = await fetch(`${r.url}${url}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function stop(r: Running): Promise<number | null> {
  r.child.kill('SIGTERM');
  return Promise.race([r.exit, new Promise<null>((_, reject) => setTimeout(() => reject(new Error('no exit within 15 s of SIGTERM')), 15_000))]);
}

describe('the server process', () => {
  it('serves the rollout over real HTTP: dev advisory, then enforced; exits 0 on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gh-proc-'));
    dirs.push(dataDir);
    const r = await start(dataDir, { GATEHOUSE_API_KEYS: `admin:${ADMIN},evaluator:${EVALUATOR}` });

    expect((await fetch(`${r.url}/healthz`)).status).toBe(200);
    expect((await call(r, 'GET', '/v1/packs', EVALUATOR)).body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ pack: 'qa', version: '1.0.0' })]),
    );
    expect((await call(r, 'PUT', '/v1/stages/dev', EVALUATOR, { pack: 'qa', version: '1.0.0', mode: 'advisory' })).status).toBe(403);

    const advisoryPin = await call(r, 'PUT', '/v1/stages/dev', ADMIN, { pack: 'qa', version: '1.0.0', mode: 'advisory' });
    expect(advisoryPin).toMatchObject({ status: 201, body: { stage: 'dev', mode: 'advisory' } });
    const advisory = await call(r, 'POST', '/v1/evaluate', EVALUATOR, { content: FAIL_TEXT, stage: 'dev' });
    expect(advisory.status).toBe(200);
    expect(advisory.body).toMatchObject({ mode: 'advisory', decision: 'FAIL', allowed: true, audit_ok: true });
    expect(advisory.body.warnings.map((w: { code: string }) => w.code)).toContain('PROFANITY');

    expect((await call(r, 'PUT', '/v1/stages/dev', ADMIN, { pack: 'qa', version: '1.0.0', mode: 'enforced' })).status).toBe(200);
    const enforced = await call(r, 'POST', '/v1/evaluate', EVALUATOR, { content: FAIL_TEXT, stage: 'dev' });
    expect(enforced.body).toMatchObject({ mode: 'enforced', decision: 'FAIL', allowed: false, audit_ok: true, error: { code: 'QA_REJECTED' } });
    expect(enforced.body.error.suggestedFix).toEqual(expect.any(String));
    const verified = await call(r, 'POST', '/v1/receipts/verify', EVALUATOR, { receipt: enforced.body.receipt, content: FAIL_TEXT });
    expect(verified.body).toMatchObject({ valid: true, allowed_to_post: false });

    const audit = await call(r, 'GET', '/v1/audit?stage=dev', ADMIN);
    expect(audit.body.items.map((i: { request_id: string }) => i.request_id).sort()).toEqual([advisory.body.request_id, enforced.body.request_id].sort());
    expect(r.stdout.join('') + r.stderr.join('')).not.toContain(ADMIN);

    expect(await stop(r)).toBe(0);
    expect(existsSync(path.join(dataDir, 'gatehouse.lock'))).toBe(false);
  });

  it('prints a generated admin key once at first start, and never again', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gh-proc-'));
    dirs.push(dataDir);
    const first = await start(dataDir, {});
    const key = /\b(gh_[A-Za-z0-9_-]{43})\b/.exec(first.stdout.join(''))?.[1];
    expect(key, `no key in stdout: ${first.stdout.join('')}`).toBeDefined();
    expect((await call(first, 'GET', '/v1/audit', key!)).status).toBe(200);
    expect(await stop(first)).toBe(0);

    const second = await start(dataDir, {});
    expect(second.stdout.join('')).not.toMatch(/gh_[A-Za-z0-9_-]{43}/);
    expect((await call(second, 'GET', '/v1/audit', key!)).status).toBe(200);
    expect(await stop(second)).toBe(0);
  });
});
