// Issue 4, "No audit row lost": the server process is killed with SIGKILL in the middle of a load,
// with rows waiting in its outbox, and started again. Uses a database of its own on the shared
// PostgreSQL server, which keeps running throughout.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createConfig } from '../../../server/config.js';
import { useDatabase } from '../../helpers/databases.js';
import { call, killServer, sleep, startServer, stopServer, type ServerProcess } from '../../helpers/server-process.js';
import { auditCounts, metric, startLoad, waitForRows } from './load.js';

const ADMIN = 'faults-admin-key-0123456789';
const EVALUATOR = 'faults-evaluator-key-0123456789';

// The server migrates its own database, as in production.
const database = useDatabase('postgres', { migrate: false });
const dataDir = mkdtempSync(path.join(tmpdir(), 'gh-fault-kill-'));
// Each start listens on PORT=0 (server-process.ts), so both find the outbox of that key.
const outboxDir = () => createConfig({ DATABASE_URL: database().url!, GATEHOUSE_DATA_DIR: dataDir, PORT: '0' }).auditSink.outboxDir;
const servers: ServerProcess[] = [];

afterAll(async () => {
  for (const s of servers) await killServer(s);
  rmSync(dataDir, { recursive: true, force: true });
});

const segments = () => (existsSync(outboxDir()) ? readdirSync(outboxDir()).filter((f) => f.startsWith('segment-')) : []);

describe('the server killed with SIGKILL in the middle of a load', () => {
  it('replays the rows of its outbox at the next start, each exactly once', async () => {
    const url = database().url!;
    const env = { DATABASE_URL: url, GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_API_KEYS: `admin:${ADMIN},evaluator:${EVALUATOR}`, GATEHOUSE_RATE_LIMIT_PER_MINUTE: '0' };
    // Fault injected into the first process: a 1 ms audit write budget (the group commit alone waits
    // 2 ms), and a breaker that stays open for a minute, so that rows pile up in the outbox unreplayed.
    const first = await startServer({ ...env, GATEHOUSE_AUDIT_WRITE_TIMEOUT_MS: '1', GATEHOUSE_AUDIT_BREAKER_RESET_MS: '60000' });
    servers.push(first);
    for (const [stage, mode] of [['k-advisory', 'advisory'], ['k-enforced', 'enforced']]) {
      expect((await call(first, 'PUT', `/v1/stages/${stage}`, ADMIN, { pack: 'qa', version: '2.0.0', mode })).status).toBeLessThan(300);
    }

    const load = startLoad(first.url, EVALUATOR, ['k-advisory', 'k-enforced']);
    // Kill once enough answers are in rather than after a fixed time: on a loaded machine 2 s gave 27.
    await expect.poll(() => load.answers.length, { timeout: 30_000, interval: 50 }).toBeGreaterThan(60);
    await killServer(first);
    await sleep(200);
    const { answers, refused } = await load.stop();

    expect(refused).toEqual([]);
    expect(answers.length).toBeGreaterThan(50);
    const ids = answers.map((a) => a.request_id);
    // At the kill, answered rows were only on disk in the outbox, not in the database.
    const before = await auditCounts(url, ids);
    expect(ids.length - before.size).toBeGreaterThan(0);
    expect(segments().length).toBeGreaterThan(0);
    for (const a of answers.filter((x) => !x.audit_ok)) expect(a.receipt).toBe(false);

    // The next start, with the default budget: the outbox is replayed, and the service answers again.
    const second = await startServer(env);
    servers.push(second);
    const counts = await waitForRows(url, ids, 20_000);
    expect({ missing: ids.filter((id) => !counts.has(id)).length, missingAuditOk: answers.filter((a) => a.audit_ok && !counts.has(a.request_id)).length }).toEqual({
      missing: 0,
      missingAuditOk: 0,
    });
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // The rows are in as each chunk commits; the counter moves once the whole replay is done.
    const replayed = async () => metric(await (await fetch(`${second.url}/metrics`)).text(), 'gatehouse_audit_replayed_total') ?? 0;
    await expect.poll(replayed, { timeout: 10_000 }).toBeGreaterThan(0);

    const after = await call(second, 'POST', '/v1/evaluate', EVALUATOR, { content: 'A calm post about gardening.', stage: 'k-enforced' });
    expect(after.body).toMatchObject({ audit_ok: true, allowed: true });
    expect(await stopServer(second)).toBe(0);
    expect(segments()).toEqual([]);
  });
});
