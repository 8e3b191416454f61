// The audit hash chain on PGlite and PostgreSQL: group-committed batches from two writers on one
// database link into one chain per stage; `verify` finds it clean, and names the row a superuser
// changed, deleted or slipped in with the append-only trigger disabled; given heads kept outside
// the database, it also names rows cut off the end and a chain rewritten with its hashes recomputed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH, rowHash, type ChainHead } from '../../../server/audit/audit-chain.js';
import { createAuditStore, mapChainedRow, type AuditRow } from '../../../server/audit/audit-store.js';
import { createAuditWriter } from '../../../server/audit/audit-writer.js';
import { verifyAuditChain } from '../../../server/audit/audit-verify.js';
import { restoreArchive } from '../../../server/audit/retention/audit-archive.js';
import { pruneAudit } from '../../../server/audit/retention/audit-prune.js';
import { openDatabase, MEMORY_DATA_DIR, type Database } from '../../../server/db/database.js';
import { toNumber } from '../../../server/db/driver-values.js';
import { at, auditRow } from '../../helpers/audit-rows.js';
import { databaseKinds, emptyTables, useDatabase } from '../../helpers/databases.js';

const STAGES = ['prod', 'dev', 'canary'];
const burst = (prefix: string, n: number): AuditRow[] =>
  Array.from({ length: n }, (_, i) =>
    auditRow({
      request_id: `${prefix}-${i}`,
      stage: STAGES[i % STAGES.length]!,
      created_at: at(i),
      decision: i % 4 === 0 ? 'FAIL' : 'PASS',
      violation_codes: i % 4 === 0 ? ['PROFANITY'] : [],
      violations: i % 4 === 0 ? [{ code: 'PROFANITY', post: 0, span: [0, 4], message: 'Ünïcödé "q"\n', severity: 'block' }] : [],
      response: { decision: 'PASS', nested: { b: [1, 2.5, null], a: 'x' }, latency: 0.1 + 0.2 },
      latency_ms: i + 0.125,
      caller_key_id: i % 2 ? 'key-a' : null,
    }),
  );

describe.each(databaseKinds)('audit hash chain on %s', (kind) => {
  const database = useDatabase(kind);
  const knex = () => database().db.knex;
  const extra: Database[] = [];
  afterAll(async () => {
    for (const db of extra) await db.close();
  });

  /** A second instance on the same database (its own pool); PGlite has only the one connection. */
  async function secondInstance(): Promise<Database> {
    if (kind === 'pglite') return database().db;
    const db = await openDatabase({ databaseUrl: database().url!, dataDir: MEMORY_DATA_DIR, poolMax: 4 });
    extra.push(db);
    return db;
  }

  /** Runs `sql` with the append-only trigger off, as a superuser can (the tests connect as one). */
  async function asSuperuser(sql: string, bindings: unknown[] = []): Promise<void> {
    await knex().transaction(async (trx) => {
      await trx.raw('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
      await trx.raw(sql, bindings as never);
      await trx.raw('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    });
  }

  beforeEach(async () => {
    await emptyTables(database().db);
  });

  it('links a burst of concurrent batches from two writers into one gap-free chain per stage', async () => {
    const other = await secondInstance();
    const writers = [createAuditWriter(createAuditStore(knex()), { tickMs: 1, maxBatch: 25 }), createAuditWriter(createAuditStore(other.knex), { tickMs: 1, maxBatch: 25 })];
    const rows = [...burst('a', 300), ...burst('b', 300)];
    await Promise.all(rows.map((row, i) => writers[i % 2]!.append(row)));
    await Promise.all(writers.map((w) => w.close()));

    const report = await verifyAuditChain(knex());
    expect(report.ok).toBe(true);
    expect(report.chains.map((c) => [c.chain, c.rows, c.first_seq, c.head?.seq])).toEqual([
      ['canary', 200, 1, 200],
      ['dev', 200, 1, 200],
      ['prod', 200, 1, 200],
    ]);
    const { rows: firsts } = await knex().raw("SELECT prev_hash FROM audit_events WHERE seq = 1 ORDER BY chain");
    expect(firsts.map((r: { prev_hash: string }) => r.prev_hash)).toEqual([GENESIS_HASH, GENESIS_HASH, GENESIS_HASH]);
    // One stage only.
    expect((await verifyAuditChain(knex(), { stage: 'dev' })).chains.map((c) => c.rows)).toEqual([200]);
  });

  it('fails a batch whose chain lock another writer holds past the lock timeout, instead of waiting for ever', async (ctx) => {
    if (kind === 'pglite') ctx.skip('PGlite has one connection: no other writer can hold the lock');
    const holder = await secondInstance();
    await holder.knex.transaction(async (trx) => {
      await trx.raw("SELECT pg_advisory_xact_lock(1734440037, hashtext('prod'))");
      const write = createAuditStore(knex()).insertMany([auditRow({ request_id: 'behind-a-hung-writer', stage: 'prod' })]);
      await expect(write).rejects.toMatchObject({ code: '55P03' });
    });
    // The lock released, the next batch goes through and the chain is whole.
    await createAuditStore(knex()).insertMany([auditRow({ request_id: 'after-the-hung-writer', stage: 'prod' })]);
    expect((await verifyAuditChain(knex())).ok).toBe(true);
  });

  it('skips rows an outbox replay brings again without breaking the chain', async () => {
    const store = createAuditStore(knex());
    const rows = burst('r', 12);
    await store.insertMany(rows.slice(0, 8));
    await store.insertMany([...rows.slice(4, 12), rows[11]!]);
    const [{ n }] = await knex()('audit_events').count({ n: '*' });
    expect(toNumber(n)).toBe(12);
    expect((await verifyAuditChain(knex())).ok).toBe(true);
  });

  it('names the row a superuser changed with the trigger disabled', async () => {
    await createAuditStore(knex()).insertMany(burst('c', 30));
    await asSuperuser("UPDATE audit_events SET decision = 'PASS', allowed = true WHERE request_id = 'c-12'");
    const report = await verifyAuditChain(knex());
    expect(report.ok).toBe(false);
    const prod = report.chains.find((c) => c.chain === 'prod')!;
    expect(prod.problem).toMatchObject({ kind: 'changed', request_id: 'c-12', seq: 5 });
    expect(prod.problem!.message).toMatch(/c-12.*was changed/);
    // The other chains are untouched.
    expect(report.chains.filter((c) => c.chain !== 'prod').every((c) => c.problem === null)).toBe(true);
  });

  it('names a row whose row_hash was forged', async () => {
    await createAuditStore(knex()).insertMany(burst('h', 30));
    await asSuperuser("UPDATE audit_events SET row_hash = repeat('a', 64) WHERE request_id = 'h-12'");
    const prod = (await verifyAuditChain(knex())).chains.find((c) => c.chain === 'prod')!;
    // h-12 itself no longer hashes to its (forged) row_hash: named as changed first.
    expect(prod.problem).toMatchObject({ kind: 'changed', request_id: 'h-12' });
  });

  it('names the place of a deleted row', async () => {
    await createAuditStore(knex()).insertMany(burst('d', 30));
    await asSuperuser("DELETE FROM audit_events WHERE request_id = 'd-9'");
    const report = await verifyAuditChain(knex(), { stage: 'prod' });
    expect(report.ok).toBe(false);
    expect(report.chains[0]!.problem).toMatchObject({ kind: 'deleted', request_id: 'd-12', seq: 5 });
    expect(report.chains[0]!.problem!.message).toMatch(/row seq 4 is missing between request_id d-6 \(seq 3\) and request_id d-12/);
  });

  it('verifies across prunes, and after an older archive is restored in front of a later hole', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => auditRow({ request_id: `p-${i}`, stage: 'prod', created_at: i < 10 ? at(i * 1000) : new Date() }));
    await createAuditStore(knex()).insertMany(rows);
    const parentDir = mkdtempSync(path.join(tmpdir(), 'gh-chain-'));
    try {
      const first = await pruneAudit({ knex: knex(), database: kind, cut: at(3_500), archive: { parentDir } });
      expect(first.deleted.audit_events).toBe(4);
      expect((await pruneAudit({ knex: knex(), database: kind, cut: at(7_500), archive: false })).deleted.audit_events).toBe(4);
      expect((await verifyAuditChain(knex())).chains[0]).toMatchObject({ first_seq: 9, rows: 4, problem: null });
      await restoreArchive(knex(), first.archive!.dir);
      const report = await verifyAuditChain(knex());
      expect(report.ok).toBe(true);
      expect(report.chains[0]).toMatchObject({ first_seq: 1, rows: 8, head: { seq: 12 } });
      // A hole where no prune left a checkpoint is still a deletion.
      await asSuperuser("DELETE FROM audit_events WHERE request_id = 'p-10'");
      expect((await verifyAuditChain(knex())).chains[0]!.problem).toMatchObject({ kind: 'deleted', request_id: 'p-11' });
    } finally {
      rmSync(parentDir, { recursive: true, force: true });
    }
  });

  it('with kept heads, names rows cut off the end, a whole chain removed, and a head rewritten with its hash recomputed', async () => {
    const store = createAuditStore(knex());
    const kept: ChainHead[] = [];
    store.watchHeads((heads) => kept.push(...heads));
    await store.insertMany(burst('t', 15));
    await store.insertMany(burst('u', 15));
    expect(kept.filter((h) => h.chain === 'prod').map((h) => h.seq)).toEqual([5, 10]);
    const clean = await verifyAuditChain(knex(), { heads: kept });
    expect(clean.ok).toBe(true);
    expect(clean.chains.map((c) => c.heads_matched)).toEqual([2, 2, 2]);

    // The last two prod rows cut off the end: the chain alone still verifies, the kept head does not.
    await asSuperuser("DELETE FROM audit_events WHERE chain = 'prod' AND seq > 8");
    expect((await verifyAuditChain(knex())).ok).toBe(true);
    const cut = await verifyAuditChain(knex(), { heads: kept });
    expect(cut.chains.find((c) => c.chain === 'prod')!.problem).toMatchObject({ kind: 'truncated', seq: 10 });
    expect(cut.chains.find((c) => c.chain === 'prod')!.problem!.message).toMatch(/ends at seq 8, but seq 10 was kept/);

    // A chain removed whole is still named, from its kept heads alone.
    await asSuperuser("DELETE FROM audit_events WHERE chain = 'canary'");
    expect((await verifyAuditChain(knex(), { heads: kept })).chains.find((c) => c.chain === 'canary')!.problem).toMatchObject({ kind: 'truncated' });

    // dev's head rewritten and its row_hash recomputed, so that the chain alone verifies.
    const head = mapChainedRow(await knex()('audit_events').where({ chain: 'dev', seq: 10 }).first());
    const forged = { ...head, decision: head.decision === 'PASS' ? 'FAIL' : 'PASS' } as typeof head;
    await asSuperuser('UPDATE audit_events SET decision = ?, row_hash = ? WHERE chain = ? AND seq = 10', [
      forged.decision,
      rowHash(forged, { chain: 'dev', seq: 10, prev_hash: head.prev_hash! }),
      'dev',
    ]);
    expect((await verifyAuditChain(knex(), { stage: 'dev' })).ok).toBe(true);
    const rewritten = await verifyAuditChain(knex(), { stage: 'dev', heads: kept });
    expect(rewritten.chains[0]!.problem).toMatchObject({ kind: 'rewritten', seq: 10, request_id: head.request_id });
  });

  it('names a row inserted out of order, and a row slipped in outside the chain', async () => {
    await createAuditStore(knex()).insertMany(burst('o', 9));
    // A forged row at the head of the chain, linked to nothing.
    await knex().raw(
      `INSERT INTO audit_events SELECT (jsonb_populate_record(NULL::audit_events, to_jsonb(e) || jsonb_build_object('request_id', 'forged', 'seq', 4, 'prev_hash', repeat('0', 64)))).*
         FROM audit_events e WHERE request_id = 'o-6'`,
    );
    const prod = (await verifyAuditChain(knex(), { stage: 'prod' })).chains[0]!;
    expect(prod.problem).toMatchObject({ kind: 'out-of-order', request_id: 'forged', seq: 4 });

    await knex()('audit_events').insert({ ...auditRow({ request_id: 'sneaked', stage: 'prod', created_at: at(60_000) }), violations: '[]', response: '{}' });
    const report = await verifyAuditChain(knex());
    expect(report.unchained).toMatchObject({ request_id: 'sneaked' });
  });
});
