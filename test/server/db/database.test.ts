import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrations } from '../../../migrations/index.js';
import { createKeyStore } from '../../../server/auth/key-store.js';
import { acquireDataDirLock, DataDirLockedError, describeLockHolder } from '../../../server/db/data-dir-lock.js';
import { openDatabase, type Database } from '../../../server/db/database.js';
import { migrateCommand } from '../../../server/db/migrate-command.js';
import { useDatabase } from '../../helpers/databases.js';

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-db-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid as number;
}

function capture() {
  const lines = { out: [] as string[], err: [] as string[] };
  return { lines, io: { out: (l: string) => lines.out.push(l), err: (l: string) => lines.err.push(l) } };
}

describe('data-dir lock', () => {
  it('holds the pid in gatehouse.lock and refuses a second holder, naming the file and the pid', () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir);
    expect(lock.file).toBe(join(dir, 'gatehouse.lock'));
    // The pid on the first line (all an older version reads), then what this process is.
    expect(readFileSync(lock.file, 'utf8').split('\n')[0]).toBe(String(process.pid));

    const err = (() => {
      try {
        acquireDataDirLock(dir);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DataDirLockedError);
    expect(err).toMatchObject({ code: 'DATA_DIR_LOCKED', lockFile: lock.file, pid: process.pid });
    expect((err as Error).message).toContain(lock.file);
    expect((err as Error).message).toContain(`process ${process.pid}`);

    lock.release();
    expect(existsSync(lock.file)).toBe(false);
    lock.release();
    acquireDataDirLock(dir).release();
  });

  it('takes over a stale lock whose process is gone, or a garbled one', () => {
    const dir = tempDir();
    const file = join(dir, 'gatehouse.lock');
    for (const stale of [`${deadPid()}\n`, 'not a pid']) {
      writeFileSync(file, stale);
      const lock = acquireDataDirLock(dir);
      expect(readFileSync(file, 'utf8').split('\n')[0]).toBe(String(process.pid));
      lock.release();
    }
  });

  it('refuses a lock held by another live process', () => {
    const dir = tempDir();
    // pid 1 always runs; as a non-root user signalling it fails with EPERM, which still means alive.
    writeFileSync(join(dir, 'gatehouse.lock'), '1\n');
    // A lock file of an older version holds only the pid.
    expect(() => acquireDataDirLock(dir)).toThrow(/^The PGlite data dir .* is in use by process 1; lock file .*gatehouse\.lock\./);
  });

  it('names the holder and the folder: the audit outbox held by `gatehouse serve` on a port, not "the data dir"', () => {
    const dir = tempDir();
    describeLockHolder('gatehouse serve on http://0.0.0.0:8081, PostgreSQL postgres://…@127.0.0.1:5432/gh');
    const held = acquireDataDirLock(dir, 'audit-outbox.lock', `The audit outbox ${dir}`);
    try {
      expect(() => acquireDataDirLock(dir, 'audit-outbox.lock', `The audit outbox ${dir}`)).toThrow(
        `The audit outbox ${dir} is in use by process ${process.pid} (gatehouse serve on http://0.0.0.0:8081, PostgreSQL postgres://…@127.0.0.1:5432/gh); lock file ${held.file}.`,
      );
    } finally {
      held.release();
    }
  });

  it('on release, leaves alone a lock file that is no longer ours', () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir);
    // As if our lock had been taken over as stale while we hung, by process 1.
    writeFileSync(join(dir, 'gatehouse.lock'), '1\n');
    lock.release();
    expect(readFileSync(join(dir, 'gatehouse.lock'), 'utf8')).toBe('1\n');
  });
});

describe('openDatabase on a PGlite data dir', () => {
  it('locks the dir while open, releases it on close, and keeps data across reopen', async () => {
    const dir = tempDir();
    const lockFile = join(dir, 'gatehouse.lock');
    let first: Database | undefined = await openDatabase({ dataDir: dir });
    try {
      expect(first.kind).toBe('pglite');
      expect(existsSync(join(dir, 'pglite'))).toBe(true);
      expect(readFileSync(lockFile, 'utf8').split('\n')[0]).toBe(String(process.pid));

      await expect(openDatabase({ dataDir: dir })).rejects.toThrow(`The PGlite data dir ${dir} is in use by process ${process.pid} (`);
      const blocked = capture();
      expect(await migrateCommand({ GATEHOUSE_DATA_DIR: dir }, blocked.io)).toBe(1);
      expect(blocked.lines.err.join('\n')).toContain(`in use by process ${process.pid}`);

      await first.close();
      await first.close();
      first = undefined;
      expect(existsSync(lockFile)).toBe(false);

      const migrated = capture();
      expect(await migrateCommand({ GATEHOUSE_DATA_DIR: dir }, migrated.io)).toBe(0);
      expect(migrated.lines.out.join('\n')).toContain(`applied ${migrations.length} migration(s)`);
      for (const m of migrations) expect(migrated.lines.out.join('\n')).toContain(m.name);
      expect(existsSync(lockFile)).toBe(false);

      const again = await openDatabase({ dataDir: dir });
      try {
        await createKeyStore(again.knex).insert({ role: 'admin', key_hash: 'sha256:persisted', label: 'kept' });
      } finally {
        await again.close();
      }
      const reopened = await openDatabase({ dataDir: dir });
      try {
        expect((await createKeyStore(reopened.knex).all()).map((k) => k.key_hash)).toEqual(['sha256:persisted']);
      } finally {
        await reopened.close();
      }
    } finally {
      await first?.close();
    }
  });
});

describe('migrate command on PostgreSQL', () => {
  const database = useDatabase('postgres', { migrate: false });

  it('applies every migration once, then reports the database up to date', async () => {
    const url = database().url as string;
    const first = capture();
    expect(await migrateCommand({ DATABASE_URL: url, GATEHOUSE_DATA_DIR: '/nonexistent' }, first.io)).toBe(0);
    expect(first.lines.out.join('\n')).toContain(`applied ${migrations.length} migration(s)`);
    const second = capture();
    expect(await migrateCommand({ DATABASE_URL: url }, second.io)).toBe(0);
    expect(second.lines.out).toEqual([expect.stringMatching(/^PostgreSQL postgres:\/\/.*: already up to date$/)]);
  });

  it('fails with exit code 1 and a message when PostgreSQL cannot be reached', async () => {
    const failed = capture();
    const code = await migrateCommand({ DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/nope' }, failed.io);
    expect(code).toBe(1);
    expect(failed.lines.err.join('\n')).toMatch(/cannot open PostgreSQL postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/nope/);
    expect(failed.lines.err.join('\n')).not.toContain('secret');
  });
});
