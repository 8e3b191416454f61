// Issue 13, finding 3: "the append-only audit can be rewritten by the application's own role".
// On a real PostgreSQL with the two roles of docs/operations.md (the GRANT block is read from the
// doc and run as written): the service runs as the runtime role and evaluations work; the attacks
// of the finding (SET LOCAL gatehouse.retention = 'on' then UPDATE/DELETE, TRUNCATE, disabling
// the trigger) are refused to it; and what the owner or a superuser can still do is named by
// `gatehouse audit verify`.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../server/audit/audit-verify.js';
import { createAuditStore } from '../../../server/audit/audit-store.js';
import { auditCommand } from '../../../server/audit/retention/audit-command.js';
import { deleteOlderThan } from '../../../server/audit/retention/audit-prune.js';
import type { Gatehouse } from '../../../server/compose.js';
import { MEMORY_DATA_DIR, migrateLatest, openDatabase, type Database } from '../../../server/db/database.js';
import { auditRow } from '../../helpers/audit-rows.js';
import { ADMIN_URL, unavailableReason } from '../../helpers/databases.js';
import { buildGatehouse, CONTENT, evaluate, pin } from '../api/harness.js';

const OPERATIONS_MD = path.resolve(import.meta.dirname, '../../../docs/operations.md');
const suffix = randomBytes(4).toString('hex');
const OWNER = `gh_owner_${suffix}`;
const RUNTIME = `gh_runtime_${suffix}`;
const DB = `gatehouse_roles_${suffix}`;
const DAY = 86_400_000;

/** The GRANT block of docs/operations.md, for this test's database and runtime role. */
function runtimeGrants(): string[] {
  const doc = readFileSync(OPERATIONS_MD, 'utf8');
  const block = /<!-- runtime-grants[^>]*-->\s*```sql\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new Error('docs/operations.md has no runtime-grants block');
  return block
    .split('\n')
    .filter((line) => !line.startsWith('--') && line.trim() !== '')
    .join('\n')
    .split(';')
    .map((s) => s.trim().replace(/\bgatehouse_runtime\b/g, RUNTIME).replace(/\bDATABASE gatehouse\b/, `DATABASE ${DB}`))
    .filter(Boolean);
}

function urlFor(user: string): string {
  const u = new URL(ADMIN_URL);
  u.username = user;
  u.password = '';
  u.pathname = `/${DB}`;
  return u.toString();
}

async function asAdmin(sql: string, database?: string): Promise<void> {
  const u = new URL(ADMIN_URL);
  if (database) u.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: u.toString(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let skip: string | undefined;
let owner: Database | undefined;
let runtime: Database | undefined;
let gh: Gatehouse | undefined;
const runtimeDb = () => runtime!;
const logSink: string[] = [];

beforeAll(async () => {
  skip = await unavailableReason('postgres');
  if (skip) return;
  await asAdmin(`CREATE ROLE ${OWNER} LOGIN`);
  await asAdmin(`CREATE ROLE ${RUNTIME} LOGIN`);
  await asAdmin(`CREATE DATABASE ${DB} OWNER ${OWNER}`);
  owner = await openDatabase({ databaseUrl: urlFor(OWNER), dataDir: MEMORY_DATA_DIR, poolMax: 2 });
  await migrateLatest(owner.knex);
  for (const grant of runtimeGrants()) await owner.knex.raw(grant);
  runtime = await openDatabase({ databaseUrl: urlFor(RUNTIME), dataDir: MEMORY_DATA_DIR, poolMax: 4 });
}, 60_000);

afterAll(async () => {
  await gh?.close();
  await runtime?.close();
  await owner?.close();
  if (skip) return;
  await asAdmin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await asAdmin(`DROP ROLE IF EXISTS ${RUNTIME}`);
  await asAdmin(`DROP ROLE IF EXISTS ${OWNER}`);
});

beforeEach((ctx) => {
  if (skip) ctx.skip(skip);
});

describe('the audit under the two roles of docs/operations.md', () => {
  it('runs the service as the runtime role: a burst of evaluations commits, with receipts, into clean chains', async () => {
    // What `npm start` does first: nothing pending, and the check works with the runtime grants.
    expect(await migrateLatest(runtimeDb().knex)).toEqual([]);
    // A generous audit write budget: this test is about privileges, and the machine may be loaded.
    gh = await buildGatehouse(runtimeDb(), { logSink, env: { GATEHOUSE_AUDIT_WRITE_TIMEOUT_MS: '20000' } });
    for (const stage of ['roles-prod', 'roles-dev']) {
      const pinned = await pin(gh.app, stage, { mode: 'enforced' });
      expect(pinned.status, JSON.stringify(pinned.body)).toBe(201);
    }
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => evaluate(gh!.app, { content: i % 3 ? CONTENT.pass : CONTENT.profane, stage: i % 2 ? 'roles-prod' : 'roles-dev' })),
    );
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.body, logSink.filter((l) => /audit/.test(l)).slice(0, 3).join('\n')).toMatchObject({ audit_ok: true });
      expect(a.body.receipt).toEqual(expect.any(String));
    }
    const report = await verifyAuditChain(runtimeDb().knex);
    expect(report.ok).toBe(true);
    expect(report.chains.map((c) => [c.chain, c.rows])).toEqual([['roles-dev', 20], ['roles-prod', 20]]);
  });

  it('refuses the runtime role every way to rewrite or remove audit rows, the retention switch included', async () => {
    const knex = runtimeDb().knex;
    const before = await knex('audit_events').select('request_id', 'decision', 'row_hash').orderBy('request_id');
    expect(before.length).toBeGreaterThan(0);
    const refused = /permission denied|must be owner|append-only|at least one day old/;
    const attacks: [string, string[]][] = [
      ['retention switch + UPDATE', ["SET LOCAL gatehouse.retention = 'on'", "UPDATE audit_events SET decision = 'PASS', allowed = true"]],
      ['retention switch + DELETE', ["SET LOCAL gatehouse.retention = 'on'", 'DELETE FROM audit_events']],
      ['prune flag + DELETE', ["SET LOCAL gatehouse.prune = 'on'", 'DELETE FROM audit_events']],
      ['TRUNCATE', ['TRUNCATE audit_events']],
      ['disable the trigger', ['ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only']],
      ['replace the guard', ["CREATE OR REPLACE FUNCTION gatehouse_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"]],
      ['rewrite a checkpoint', ["INSERT INTO audit_chain_checkpoints (chain, seq, prev_hash, cut) VALUES ('roles-prod', 5, 'x', now())"]],
      ['prune everything through the function', ['SELECT * FROM gatehouse_prune_audit(now())']],
    ];
    for (const [name, statements] of attacks) {
      const attempt = knex.transaction(async (trx) => {
        for (const sql of statements) await trx.raw(sql);
      });
      await expect(attempt, name).rejects.toThrow(refused);
    }
    expect(await knex('audit_events').select('request_id', 'decision', 'row_hash').orderBy('request_id')).toEqual(before);
  });

  it('lets the runtime role prune old rows only through the function, which leaves a verifiable chain', async () => {
    const knex = runtimeDb().knex;
    const old = Array.from({ length: 6 }, (_, i) => auditRow({ request_id: `old-${i}`, stage: 'roles-old', created_at: new Date(Date.now() - (60 - i) * DAY) }));
    const recent = [auditRow({ request_id: 'recent-0', stage: 'roles-old', created_at: new Date() })];
    await createAuditStore(knex).insertMany([...old, ...recent]);
    const deleted = await deleteOlderThan(knex, new Date(Date.now() - 30 * DAY));
    expect(deleted.audit_events).toBe(6);
    const report = await verifyAuditChain(knex, { stage: 'roles-old' });
    expect(report.ok).toBe(true);
    expect(report.chains[0]).toMatchObject({ rows: 1, first_seq: 7 });
    expect(await knex('audit_chain_checkpoints').where({ chain: 'roles-old' }).select('seq')).toEqual([{ seq: '7' }]);
  });

  it('names the row the owner deleted with the prune flag, and the row a superuser changed with the trigger disabled', async () => {
    const [victim, deleted] = await runtimeDb().knex('audit_events').where({ chain: 'roles-prod' }).orderBy('seq').offset(3).limit(2).select('request_id', 'seq', 'decision', 'allowed');
    // The owner's own hatch: it owns the table, so the guard lets its flagged DELETE through (or it could disable the trigger).
    await owner!.knex.transaction(async (trx) => {
      await trx.raw("SET LOCAL gatehouse.prune = 'on'");
      await trx('audit_events').where({ request_id: deleted.request_id }).delete();
    });
    // A superuser rewrites a decision with the trigger disabled.
    await asAdmin(
      `BEGIN; ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;
       UPDATE audit_events SET decision = '${victim.decision === 'PASS' ? 'FAIL' : 'PASS'}', allowed = ${!victim.allowed} WHERE request_id = '${victim.request_id}';
       ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only; COMMIT;`,
      DB,
    );
    const out: string[] = [];
    const err: string[] = [];
    const code = await auditCommand(['verify'], { DATABASE_URL: urlFor(RUNTIME) }, { out: (l) => void out.push(l), err: (l) => void err.push(l) });
    expect(code).toBe(1);
    expect(err.join('\n')).toContain(`BROKEN chain roles-prod: row seq ${victim.seq} (request_id ${victim.request_id}) was changed`);
    expect(out.join('\n')).toMatch(/ok chain roles-dev: 20 rows/);

    // With the change undone, the next break shows: the deleted row's place.
    await asAdmin(
      `BEGIN; ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;
       UPDATE audit_events SET decision = '${victim.decision}', allowed = ${victim.allowed} WHERE request_id = '${victim.request_id}';
       ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only; COMMIT;`,
      DB,
    );
    const after = await verifyAuditChain(runtimeDb().knex, { stage: 'roles-prod' });
    expect(after.chains[0]!.problem).toMatchObject({ kind: 'deleted', seq: Number(deleted.seq) + 1 });
    expect(after.chains[0]!.problem!.message).toContain(`row seq ${deleted.seq} is missing`);
  });
});
