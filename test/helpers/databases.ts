import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { MEMORY_DATA_DIR, migrateLatest, openDatabase, type Database } from '../../server/db/database.js';

// Every store test runs on both databases: PGlite in memory, and a fresh database on a real
// PostgreSQL server (created per test file, dropped after it).

export const databaseKinds = ['pglite', 'postgres'] as const;
export type DatabaseKind = (typeof databaseKinds)[number];

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  db: Database;
  /** Connection string of the test database (postgres only). */
  url?: string;
  /** Closes the database; for postgres also drops it. */
  cleanup(): Promise<void>;
}

/** A migrated (unless `migrate: false`) database of the given kind. */
export async function makeDatabase(kind: DatabaseKind, opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const made = kind === 'pglite' ? await makePglite() : await makePostgres();
  if (opts.migrate ?? true) {
    try {
      await migrateLatest(made.db.knex);
    } catch (err) {
      await made.cleanup();
      throw err;
    }
  }
  return made;
}

async function makePglite(): Promise<TestDatabase> {
  const db = await openDatabase({ dataDir: MEMORY_DATA_DIR });
  return { db, cleanup: () => db.close() };
}

async function makePostgres(): Promise<TestDatabase> {
  const name = `gatehouse_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = withDatabase(ADMIN_URL, name);
  let db: Database;
  try {
    db = await openDatabase({ databaseUrl: url, dataDir: MEMORY_DATA_DIR, poolMax: 4 });
  } catch (err) {
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    throw err;
  }
  return {
    db,
    url,
    async cleanup() {
      await db.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export function isCi(): boolean {
  const ci = process.env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}

let postgresProbe: Promise<string | undefined> | undefined;

/**
 * Why `kind` cannot run here, or undefined when it can. An unreachable PostgreSQL is a reason
 * to skip locally; under CI it throws, so that the suite fails instead of skipping silently.
 */
export async function unavailableReason(kind: DatabaseKind): Promise<string | undefined> {
  if (kind === 'pglite') return undefined;
  const reason = await (postgresProbe ??= probePostgres());
  if (reason === undefined) return undefined;
  if (isCi()) throw new Error(`${reason} (CI is set: PostgreSQL tests must run, not skip)`);
  if (!warned) console.warn(`[gatehouse tests] skipping PostgreSQL suites: ${reason}`);
  warned = true;
  return reason;
}

let warned = false;

async function probePostgres(): Promise<string | undefined> {
  try {
    await adminQuery('SELECT 1');
    return undefined;
  } catch (err) {
    return `PostgreSQL at ${redact(ADMIN_URL)} is unreachable: ${(err as Error).message}. Set TEST_DATABASE_URL.`;
  }
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/**
 * Registers beforeAll/afterAll for one database per describe block and returns a getter.
 * When the kind cannot run here (see unavailableReason) every test of the block is skipped
 * with the reason; under CI the beforeAll fails instead.
 */
export function useDatabase(kind: DatabaseKind, opts: { migrate?: boolean } = {}): () => TestDatabase {
  let handle: TestDatabase | undefined;
  let skipReason: string | undefined;
  beforeAll(async () => {
    skipReason = await unavailableReason(kind);
    if (skipReason === undefined) handle = await makeDatabase(kind, opts);
  });
  beforeEach((ctx) => {
    if (skipReason !== undefined) ctx.skip(skipReason);
  });
  afterAll(async () => {
    await handle?.cleanup();
  });
  return () => {
    if (!handle) throw new Error(`the ${kind} test database is not open (beforeAll failed or has not run)`);
    return handle;
  };
}

// Every application table; the append-only ones refuse TRUNCATE to everyone but a superuser.
const TABLES = ['audit_events', 'audit_chain_checkpoints', 'agent_runs', 'pack_versions', 'stage_pins', 'stage_pin_history', 'api_keys',
  'signing_keys', 'overrides', 'kill_switch', 'kill_switch_history', 'fleet_instances', 'shadow_results'];

/**
 * Empties every application table. The append-only guard has no escape hatch, so this runs as
 * the superuser the tests connect as (PGlite's user is one too), with triggers off for its
 * transaction (session_replication_role = replica).
 */
export async function emptyTables(db: Database): Promise<void> {
  await db.knex.transaction(async (trx) => {
    await trx.raw("SELECT set_config('session_replication_role', 'replica', true)");
    await trx.raw(`TRUNCATE ${TABLES.join(', ')}`);
  });
}
