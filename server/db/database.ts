import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { migrationSource } from '../../migrations/index.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import { PgliteClient } from './pglite-client.js';

export interface Database {
  knex: Knex;
  kind: 'postgres' | 'pglite';
  /** Destroys the pool (and with it PGlite) and releases the data-dir lock; safe to call twice. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL connection string; without it the embedded PGlite is used. */
  databaseUrl?: string;
  /** PGlite data folder; `:memory:` keeps everything in memory (tests). */
  dataDir: string;
  /** PostgreSQL pool size; PGlite always has exactly one connection. @defaultValue 10 */
  poolMax?: number;
}

export const MEMORY_DATA_DIR = ':memory:';

/** Opens PostgreSQL when `databaseUrl` is set, else PGlite; resolves once the database answers. */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolMax ?? 10);
  return openPglite(opts.dataDir);
}

/** Applies every pending migration; returns the names applied (empty when up to date). */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

async function openPostgres(databaseUrl: string, poolMax: number): Promise<Database> {
  const knex = knexFactory({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: poolMax } });
  const close = once(() => knex.destroy());
  await checkReady(knex, close);
  return { knex, kind: 'postgres', close };
}

async function openPglite(dataDir: string): Promise<Database> {
  const lock: DataDirLock | undefined = dataDir === MEMORY_DATA_DIR ? undefined : acquireDataDirLock(dataDir);
  const connection = lock ? { filename: join(dataDir, 'pglite') } : { connectionString: 'memory://' };
  let knex: Knex;
  try {
    knex = knexFactory({ client: PgliteClient, connection } as Knex.Config);
  } catch (err) {
    lock?.release();
    throw err;
  }
  const close = once(async () => {
    try {
      await knex.destroy();
    } finally {
      lock?.release();
    }
  });
  await checkReady(knex, close);
  return { knex, kind: 'pglite', close };
}

/** Forces the first connection so that a bad URL or a broken data dir fails here, not later. */
async function checkReady(knex: Knex, close: () => Promise<void>): Promise<void> {
  try {
    await knex.raw('select 1');
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}
