/**
 * Issue 13, finding 5: the first-start admin key lived forever. It was still accepted after
 * GATEHOUSE_API_KEYS was set, and no command listed or revoked API keys.
 *
 * The real server (main.ts serve) on PostgreSQL, restarted as an operator would, and
 * `gatehouse api-keys` run against the same database while it serves: the generated key is
 * printed once, refused while GATEHOUSE_API_KEYS is set, never re-created or re-printed,
 * and revocable like a key made by `api-keys create`; revocation and creation reach the
 * running server without a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeysCommand } from '../../../server/auth/api-keys-command.js';
import { KEY_RELOAD_MS } from '../../../server/auth/api-keys.js';
import { serve, type Served } from '../../../server/main.js';
import { useDatabase } from '../../helpers/databases.js';

const FROZEN_PACK = path.resolve(import.meta.dirname, '../../fixtures/packs/qa-1.0.0');
const ENV_ADMIN = 'env-admin-key-for-the-api-keys-test-0123';
const database = useDatabase('postgres');
let dir: string;
let running: Served | undefined;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gh-api-keys-'));
});

afterAll(async () => {
  await running?.close();
  rmSync(dir, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: database().url!,
    PORT: '0',
    GATEHOUSE_HOST: '127.0.0.1',
    GATEHOUSE_RULES_DIR: FROZEN_PACK,
    GATEHOUSE_DATA_DIR: dir,
    GATEHOUSE_LOG_LEVEL: 'silent',
    GATEHOUSE_ENGINE_WARM: '0',
    ...extra,
  };
}

async function start(extra: Record<string, string> = {}): Promise<{ printed: string[] }> {
  await running?.close();
  const printed: string[] = [];
  running = await serve(env(extra), { handleSignals: false, print: (line) => printed.push(line) });
  return { printed };
}

async function status(key: string): Promise<number> {
  const res = await fetch(`${running!.url}/v1/packs`, { headers: { Authorization: `Bearer ${key}` } });
  await res.arrayBuffer();
  return res.status;
}

async function cli(args: string[], extra: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await apiKeysCommand(args, env(extra), { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const GENERATED = /\b(gh_[A-Za-z0-9_-]{40,})\b/;
const RELOAD_WAIT = { timeout: KEY_RELOAD_MS * 3, interval: 200 };

describe('finding 5: API keys have a lifecycle', () => {
  let generated: string;

  it('the first start generates an admin key, prints it once, and stores only its hash', async () => {
    const { printed } = await start();
    const match = GENERATED.exec(printed.join('\n'));
    expect(match).not.toBeNull();
    generated = match![1]!;
    expect(await status(generated)).toBe(200);
    const { code, out } = await cli(['list']);
    expect(code).toBe(0);
    expect(out).toMatch(/admin\s+generated-admin-\w{8}\s+created \S+\s+active/);
    expect(out).not.toContain(generated);
    const rows = await database().db.knex('api_keys').select('key_hash');
    expect(JSON.stringify(rows)).not.toContain(generated);
  });

  it('once GATEHOUSE_API_KEYS is set the generated key is refused, not re-created and not printed', async () => {
    const { printed } = await start({ GATEHOUSE_API_KEYS: `admin:${ENV_ADMIN}` });
    expect(printed).toEqual([]);
    expect(await status(ENV_ADMIN)).toBe(200);
    expect(await status(generated)).toBe(401);
    const [{ n }] = await database().db.knex('api_keys').where('label', 'like', 'generated-admin-%').count({ n: '*' });
    expect(Number(n)).toBe(1);
  });

  it('with keys in the store a start without GATEHOUSE_API_KEYS generates nothing and prints nothing', async () => {
    const { printed } = await start();
    expect(printed).toEqual([]);
    expect(Number((await database().db.knex('api_keys').count({ n: '*' }))[0]!.n)).toBe(2);
  });

  it('`api-keys revoke` refuses the generated key on the running server, without a restart', async () => {
    expect(await status(generated)).toBe(200);
    const label = /generated-admin-\w{8}/.exec((await cli(['list'])).out)![0];
    const revoked = await cli(['revoke', label]);
    expect(revoked.code).toBe(0);
    expect(revoked.out).toContain(`revoked admin key ${label}`);
    await expect.poll(() => status(generated), RELOAD_WAIT).toBe(401);
    expect((await cli(['list'])).out).toMatch(new RegExp(`${label}\\s+created \\S+\\s+revoked`));
    // Revoked stays revoked across restarts, and a revoked key still counts: nothing is generated.
    const { printed } = await start();
    expect(printed).toEqual([]);
    expect(await status(generated)).toBe(401);
  });

  it('`api-keys create` prints a new key once; the running server accepts it without a restart; a revoked one is refused', async () => {
    const created = await cli(['create', '--role', 'evaluator', '--label', 'ci-bot']);
    expect(created.code).toBe(0);
    const key = GENERATED.exec(created.out)![1]!;
    await expect.poll(() => status(key), RELOAD_WAIT).toBe(200);
    const list = (await cli(['list'])).out;
    expect(list).toMatch(/evaluator\s+ci-bot\s+created \S+\s+active/);
    expect(list).not.toContain(key);
    expect((await cli(['create', '--role', 'evaluator', '--label', 'ci-bot'])).code).toBe(1);
    expect((await cli(['revoke', 'ci-bot'])).code).toBe(0);
    await expect.poll(() => status(key), RELOAD_WAIT).toBe(401);
    expect((await cli(['revoke', 'no-such-key'])).code).toBe(1);
    expect((await cli(['create', '--role', 'root'])).code).toBe(2);
  });
});
