// Two instances in one checkout (issue 16): each gets its own audit outbox by default, keyed by
// its database and port, so that one on PGlite and one on PostgreSQL no longer collide in
// ./data/outbox; a third that does collide is told what holds the lock (the audit outbox, held
// by `gatehouse serve` on that port and database), not "the data dir"; and the start log
// prints the address really bound. Runs the built server (`node dist/server/cli.js serve`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConfig, defaultOutboxDir } from '../../server/config.js';
import { makeDatabase, type TestDatabase } from '../helpers/databases.js';
import { startServer, stopServer, type ServerProcess } from '../helpers/server-process.js';

describe('the default outbox folder', () => {
  it('is one per database and port, and never shows credentials', () => {
    const pglite = createConfig({ GATEHOUSE_DATA_DIR: '/srv/gh' }).auditSink.outboxDir;
    const postgres = createConfig({ GATEHOUSE_DATA_DIR: '/srv/gh', DATABASE_URL: 'postgres://gh:s3cret@db.internal:6432/gatehouse', PORT: '8081' }).auditSink.outboxDir;
    expect(pglite).toBe('/srv/gh/outbox/pglite-8080');
    expect(postgres).toBe('/srv/gh/outbox/pg-db.internal-6432-gatehouse-8081');
    expect(defaultOutboxDir('/srv/gh', 'postgres://gh@db.internal/gatehouse', 8080)).toBe('/srv/gh/outbox/pg-db.internal-5432-gatehouse-8080');
    expect(postgres).not.toContain('s3cret');
    expect(createConfig({ GATEHOUSE_DATA_DIR: '/srv/gh', GATEHOUSE_OUTBOX_DIR: '/var/spool/gh' }).auditSink.outboxDir).toBe('/var/spool/gh');
  });
});

describe('two instances in one checkout', () => {
  let database: TestDatabase;
  let dataDir: string;
  const running: ServerProcess[] = [];

  beforeAll(async () => {
    database = await makeDatabase('postgres');
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-instances-'));
  });
  afterAll(async () => {
    for (const server of running) await stopServer(server).catch(() => server.child.kill('SIGKILL'));
    await database?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('one on PGlite and one on PostgreSQL both start; a second one on the same database and port is told who holds the outbox', async () => {
    const keys = { GATEHOUSE_API_KEYS: 'admin:instances-admin-key-0123456789', GATEHOUSE_LOG_LEVEL: 'info' };
    const onPglite = await startServer({ ...keys, GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_HOST: '0.0.0.0' }, { readyWithinMs: 120_000 });
    running.push(onPglite);
    const onPostgres = await startServer({ ...keys, GATEHOUSE_DATA_DIR: dataDir, DATABASE_URL: database.url! }, { readyWithinMs: 120_000 });
    running.push(onPostgres);
    expect((await fetch(`${onPglite.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${onPostgres.url}/healthz`)).status).toBe(200);

    // The start log names the address bound: every interface for 0.0.0.0, and how to reach it from here.
    expect(onPglite.stdout()).toContain(`gatehouse listening on http://0.0.0.0:${onPglite.port} (from this host: http://127.0.0.1:${onPglite.port})`);
    expect(onPostgres.stdout()).toContain(`gatehouse listening on http://127.0.0.1:${onPostgres.port}"`);

    const again = await startServer({ ...keys, GATEHOUSE_DATA_DIR: dataDir, DATABASE_URL: database.url! }, { readyWithinMs: 120_000 }).then(
      (server) => {
        running.push(server);
        return undefined;
      },
      (error: Error) => error.message,
    );
    expect(again, 'the third instance shares the second one’s outbox: it must be refused').toBeDefined();
    const outbox = path.join(dataDir, 'outbox', `pg-127.0.0.1-5432-${new URL(database.url!).pathname.slice(1)}-0`);
    expect(again).toContain(`The audit outbox ${outbox} is in use by process ${onPostgres.child.pid} (gatehouse serve, port 0, PostgreSQL `);
    expect(again).not.toContain('data dir is in use');
  }, 400_000);
});
