// The audit batch in one round trip on PostgreSQL (server/audit/one-trip-append.ts): counted on
// the wire (pg's ReadyForQuery, one per round trip) with a pool of one connection, and the chain
// verified whole after every way the hint can be wrong: another instance writing the chain, a
// prune's checkpoint, a replayed row, a lock held past the timeout.
import type { Knex } from 'knex';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as appendFunction from '../../../migrations/20261206210000_audit_append_function.js';
import { COLUMNS } from '../../../server/audit/audit-insert.js';
import { createAuditStore, type AuditRow } from '../../../server/audit/audit-store.js';
import { chainHints } from '../../../server/audit/one-trip-append.js';
import { verifyAuditChain } from '../../../server/audit/audit-verify.js';
import { pruneAudit } from '../../../server/audit/retention/audit-prune.js';
import { openDatabase, MEMORY_DATA_DIR, type Database } from '../../../server/db/database.js';
import { toNumber } from '../../../server/db/driver-values.js';
import { at, auditRow } from '../../helpers/audit-rows.js';
import { emptyTables, useDatabase } from '../../helpers/databases.js';

const rows = (prefix: string, n: number, stages = ['prod', 'canary']): AuditRow[] =>
  Array.from({ length: n }, (_, i) => auditRow({ request_id: `${prefix}-${i}`, stage: stages[i % stages.length]! }));

interface PgConnection {
  connection: { on(event: 'readyForQuery', listener: () => void): void };
}

/** Counts the round trips of the pool's one connection. */
async function roundTrips(knex: Knex): Promise<() => number> {
  const client = knex.client as unknown as { acquireConnection(): Promise<PgConnection>; releaseConnection(c: PgConnection): Promise<unknown> };
  const connection = await client.acquireConnection();
  let count = 0;
  connection.connection.on('readyForQuery', () => count++);
  await client.releaseConnection(connection);
  return () => count;
}

describe('chainHints', () => {
  const head = (chain: string, seq: number) => ({ chain, seq, row_hash: `h${seq}` });

  it('knows a chain once a batch committed it, from the row after its head', () => {
    const hints = chainHints(3);
    expect(hints.linksFor(['prod'])).toBeUndefined();
    hints.committed([head('prod', 7)]);
    expect(hints.linksFor(['prod'])).toEqual(new Map([['prod', { chain: 'prod', seq: 8, prev_hash: 'h7' }]]));
    expect(hints.linksFor(['canary', 'prod'])).toBeUndefined();
  });

  it('leaves a stale chain to the long way for as many batches as the cool-down, then knows it again once committed', () => {
    const hints = chainHints(3);
    hints.committed([head('prod', 1), head('canary', 1)]);
    hints.stale(['prod']);
    hints.committed([head('prod', 5)]);
    expect([1, 2, 3].map(() => hints.linksFor(['prod']))).toEqual([undefined, undefined, undefined]);
    expect(hints.linksFor(['prod'])?.get('prod')?.seq).toBe(6);
    expect(hints.linksFor(['canary'])?.get('canary')?.seq).toBe(2);
  });
});

describe('one round trip per audit batch on PostgreSQL', () => {
  const database = useDatabase('postgres');
  let db: Database;
  let other: Database;
  beforeEach(async () => {
    await emptyTables(database().db);
    db = await openDatabase({ databaseUrl: database().url!, dataDir: MEMORY_DATA_DIR, poolMax: 1 });
    other = await openDatabase({ databaseUrl: database().url!, dataDir: MEMORY_DATA_DIR, poolMax: 1 });
  });
  afterEach(async () => {
    await db.close();
    await other.close();
  });

  async function chainIsWhole(count: number): Promise<void> {
    const report = await verifyAuditChain(db.knex);
    expect(report.ok).toBe(true);
    const [{ n }] = await db.knex('audit_events').count({ n: '*' });
    expect(toNumber(n)).toBe(count);
  }

  it('inserts exactly the columns the long way writes (the function carries its own list)', async () => {
    const { rows: found } = await db.knex.raw("SELECT pg_get_functiondef('gatehouse_audit_append'::regproc) AS def");
    const list = /INSERT INTO audit_events \(([^)]*)\)/.exec(found[0].def as string)![1]!.split(',').map((c) => c.trim());
    expect(list).toEqual([...COLUMNS]);
  });

  it('writes a batch in one round trip once the writer knows where its chains continue, three before', async () => {
    const trips = await roundTrips(db.knex);
    const store = createAuditStore(db.knex);
    await store.insertMany(rows('a', 6));
    expect(trips()).toBe(3);
    for (const prefix of ['b', 'c', 'd']) await store.insertMany(rows(prefix, 6));
    expect(trips()).toBe(3 + 3);
    await chainIsWhole(24);
  });

  it('writes nothing from a stale hint when another instance moved the chain on, and takes the long way', async () => {
    const trips = await roundTrips(db.knex);
    const store = createAuditStore(db.knex);
    await store.insertMany(rows('a', 4));
    await createAuditStore(other.knex).insertMany(rows('b', 4));
    const before = trips();
    await store.insertMany(rows('c', 4));
    // The one trip that found the chain moved on, then BEGIN with locks and heads, INSERT, COMMIT.
    expect(trips() - before).toBe(1 + 3);
    // Cooling down: the long way straight away, no wasted trip.
    await store.insertMany(rows('d', 4));
    expect(trips() - before).toBe(4 + 3);
    await chainIsWhole(16);
  });

  it('continues a chain in one trip at the checkpoint a prune left when it took every row', async () => {
    const trips = await roundTrips(db.knex);
    const store = createAuditStore(db.knex);
    await store.insertMany(rows('old', 4).map((r, i) => ({ ...r, created_at: at(i) })));
    const pruned = await pruneAudit({ knex: db.knex, database: 'postgres', cut: at(10), archive: false });
    expect(pruned.deleted.audit_events).toBe(4);
    const before = trips();
    await store.insertMany(rows('new', 4).map((r) => ({ ...r, created_at: new Date() })));
    expect(trips() - before).toBe(1);
    expect((await verifyAuditChain(db.knex)).chains.map((c) => [c.chain, c.first_seq, c.head?.seq])).toEqual([
      ['canary', 3, 4],
      ['prod', 3, 4],
    ]);
    expect((await verifyAuditChain(db.knex)).ok).toBe(true);
  });

  it('goes the long way for good when the function was dropped by hand, and loses no row', async () => {
    const trips = await roundTrips(db.knex);
    const store = createAuditStore(db.knex);
    await store.insertMany(rows('a', 2));
    await appendFunction.down(db.knex);
    try {
      const before = trips();
      await store.insertMany(rows('b', 2));
      await store.insertMany(rows('c', 2));
      // The failed call, then the long way twice.
      expect(trips() - before).toBe(1 + 3 + 3);
      await chainIsWhole(6);
    } finally {
      await appendFunction.up(db.knex);
    }
  });

  it('leaves a replayed row to the long way, which skips it', async () => {
    const store = createAuditStore(db.knex);
    const batch = rows('r', 8);
    await store.insertMany(batch.slice(0, 4));
    await store.insertMany(batch.slice(2));
    await chainIsWhole(8);
  });

  it('fails the batch when another writer holds a chain lock past the timeout, as the long way does', async () => {
    const store = createAuditStore(db.knex);
    await store.insertMany(rows('a', 2, ['prod']));
    await other.knex.transaction(async (trx) => {
      await trx.raw("SELECT pg_advisory_xact_lock(1734440037, hashtext('prod'))");
      await expect(store.insertMany(rows('b', 2, ['prod']))).rejects.toMatchObject({ code: '55P03' });
    });
    await store.insertMany(rows('c', 2, ['prod']));
    await chainIsWhole(4);
  });
});
