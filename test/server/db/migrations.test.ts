import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { migrations, migrationSource } from '../../../migrations/index.js';
import { createAgentRunStore } from '../../../server/audit/agent-run-store.js';
import { createAuditStore } from '../../../server/audit/audit-store.js';
import { createKeyStore } from '../../../server/auth/key-store.js';
import { migrateLatest } from '../../../server/db/database.js';
import { createPackStore } from '../../../server/packs/pack-store.js';
import { createSigningKeyStore } from '../../../server/receipts/signing-key-store.js';
import { createStageStore } from '../../../server/stages/stage-store.js';
import { createOverrideStore } from '../../../server/overrides/override-store.js';
import { auditRow } from '../../helpers/audit-rows.js';
import { databaseKinds, useDatabase } from '../../helpers/databases.js';

const ALL = migrations.map((m) => m.name);
// Tables present after each migration, in order.
const TABLES_AFTER = [
  [],
  ['audit_events'],
  ['agent_runs', 'audit_events'],
  ['agent_runs', 'audit_events', 'pack_versions'],
  ['agent_runs', 'audit_events', 'pack_versions', 'stage_pin_history', 'stage_pins'],
  ['agent_runs', 'api_keys', 'audit_events', 'pack_versions', 'stage_pin_history', 'stage_pins'],
  ['agent_runs', 'api_keys', 'audit_events', 'pack_versions', 'signing_keys', 'stage_pin_history', 'stage_pins'],
  ['agent_runs', 'api_keys', 'audit_events', 'kill_switch', 'kill_switch_history', 'pack_versions', 'signing_keys', 'stage_pin_history', 'stage_pins'],
  ['agent_runs', 'api_keys', 'audit_events', 'fleet_instances', 'kill_switch', 'kill_switch_history', 'pack_versions', 'signing_keys', 'stage_pin_history', 'stage_pins'],
  ['agent_runs', 'api_keys', 'audit_events', 'fleet_instances', 'kill_switch', 'kill_switch_history', 'pack_versions', 'signing_keys', 'stage_pin_history', 'stage_pins'],
  ['agent_runs', 'api_keys', 'audit_events', 'fleet_instances', 'kill_switch', 'kill_switch_history', 'pack_versions', 'shadow_results', 'signing_keys', 'stage_pin_history', 'stage_pins'],
  ['agent_runs', 'api_keys', 'audit_events', 'fleet_instances', 'kill_switch', 'kill_switch_history', 'overrides', 'pack_versions', 'shadow_results', 'signing_keys', 'stage_pin_history', 'stage_pins'],
  ['agent_runs', 'api_keys', 'audit_events', 'fleet_instances', 'kill_switch', 'kill_switch_history', 'overrides', 'pack_versions', 'shadow_results', 'signing_keys', 'stage_pin_history', 'stage_pins'],
  ['agent_runs', 'api_keys', 'audit_chain_checkpoints', 'audit_events', 'fleet_instances', 'kill_switch', 'kill_switch_history', 'overrides', 'pack_versions', 'shadow_results', 'signing_keys', 'stage_pin_history', 'stage_pins'],
  // 20261202160000_add_api_key_revoked_at
  ['agent_runs', 'api_keys', 'audit_chain_checkpoints', 'audit_events', 'fleet_instances', 'kill_switch', 'kill_switch_history', 'overrides', 'pack_versions', 'shadow_results', 'signing_keys', 'stage_pin_history', 'stage_pins'],
  // 20261202170000_add_signing_key_revoked_at
  ['agent_runs', 'api_keys', 'audit_chain_checkpoints', 'audit_events', 'fleet_instances', 'kill_switch', 'kill_switch_history', 'overrides', 'pack_versions', 'shadow_results', 'signing_keys', 'stage_pin_history', 'stage_pins'],
  // 20261206210000_audit_append_function
  ['agent_runs', 'api_keys', 'audit_chain_checkpoints', 'audit_events', 'fleet_instances', 'kill_switch', 'kill_switch_history', 'overrides', 'pack_versions', 'shadow_results', 'signing_keys', 'stage_pin_history', 'stage_pins'],
  // 20261206220000_audit_lz4_compression
  ['agent_runs', 'api_keys', 'audit_chain_checkpoints', 'audit_events', 'fleet_instances', 'kill_switch', 'kill_switch_history', 'overrides', 'pack_versions', 'shadow_results', 'signing_keys', 'stage_pin_history', 'stage_pins'],
];
const APPEND_ONLY = ['audit_events', 'agent_runs', 'stage_pin_history', 'overrides'];
// A text column of each append-only table, to try an UPDATE on.
const TEXT_COLUMN: Record<string, string> = { audit_events: 'caller', agent_runs: 'caller', stage_pin_history: 'changed_by', overrides: 'caller' };

async function appTables(knex: Knex): Promise<string[]> {
  const r = await knex.raw(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'knex_migrations%' ORDER BY tablename",
  );
  return r.rows.map((row: { tablename: string }) => row.tablename);
}

async function guardExists(knex: Knex): Promise<boolean> {
  const r = await knex.raw("SELECT count(*)::int AS n FROM pg_proc WHERE proname = 'gatehouse_append_only'");
  return r.rows[0].n === 1;
}

/** One row in every table, written through the stores. */
async function seed(knex: Knex, suffix: string): Promise<void> {
  await createAuditStore(knex).insertMany([auditRow({ request_id: `seed-${suffix}`, violation_codes: ['PROFANITY'] })]);
  await createAgentRunStore(knex).insert({ workflow_id: 'wf', agent: 'a', start_ms: 1, end_ms: 2, success: true, failure_reason: null, caller: 'c' });
  await createPackStore(knex).publish({ pack_id: 'qa', version: `1.0.0-${suffix}`, hash: 'sha256:h', resolved: { id: 'qa' } });
  await createStageStore(knex).pin('prod', { pack_id: 'qa', version: `1.0.0-${suffix}`, mode: 'advisory' }, 'admin');
  await createKeyStore(knex).insert({ role: 'admin', key_hash: `sha256:${suffix}`, label: 'seed' });
  await createSigningKeyStore(knex).insert({ kid: `k-${suffix}`, alg: 'EdDSA', public_jwk: { x: '1' }, private_jwk: { d: '2' } });
  await createOverrideStore(knex).insert({
    override_id: `ov-${suffix}`, request_id: `seed-${suffix}`, overridden_receipt_id: null, stage: 'prod', mode: 'enforced', pack_id: 'qa',
    policy_version: '1.0.0', policy_hash: 'sha256:h', decision: 'FAIL', violation_codes: ['PROFANITY'], content_sha256: 'c', content_kind: 'text',
    receipt_id: `r-${suffix}`, actor: 'alice', reason: 'quoted in a news item', caller: 'seed',
  });
}

describe('migration list', () => {
  it('registers every file of migrations/ in order, and only those', () => {
    const dir = fileURLToPath(new URL('../../../migrations/', import.meta.url));
    const files = readdirSync(dir)
      .filter((f) => /^\d{14}_[a-z0-9_]+\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(ALL).toEqual(files);
    expect(ALL).toHaveLength(TABLES_AFTER.length);
  });
});

// One database per kind for the whole file: PGlite costs ~5 s and ~500 MB per instance.
describe.each(databaseKinds)('migrations on %s', (kind) => {
  const database = useDatabase(kind, { migrate: false });
  const knex = () => database().db.knex;

  it('steps up one migration at a time, then down over seeded rows, then up again', async () => {
    for (let i = 0; i < ALL.length; i++) {
      await knex().migrate.up({ migrationSource });
      expect(await appTables(knex())).toEqual(TABLES_AFTER[i]);
    }
    expect(await migrateLatest(knex())).toEqual([]);
    await seed(knex(), 'first');

    for (let i = ALL.length - 1; i >= 0; i--) {
      await knex().migrate.down({ migrationSource });
      expect(await appTables(knex())).toEqual(i === 0 ? [] : TABLES_AFTER[i - 1]);
    }
    expect(await guardExists(knex())).toBe(false);

    expect(await migrateLatest(knex())).toEqual(ALL);
    expect(await guardExists(knex())).toBe(true);
    await seed(knex(), 'second');
    const [{ n }] = await knex()('audit_events').count({ n: '*' });
    expect(Number(n)).toBe(1);
  });

  it('stores an audit row\'s large values lz4-compressed where the server has lz4, and reads them back the same', async () => {
    await migrateLatest(knex());
    const response = { decision: 'FAIL', sanitized: ['x'.repeat(40), ...Array.from({ length: 400 }, (_, i) => `post ${i}`)] };
    await createAuditStore(knex()).insertMany([auditRow({ request_id: 'toasted', response })]);
    const { rows: settings } = await knex().raw("SELECT 'lz4' = ANY(enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'");
    const { rows } = await knex().raw("SELECT pg_column_compression(response) AS method FROM audit_events WHERE request_id = 'toasted'");
    expect(rows[0].method).toBe(settings[0].lz4 ? 'lz4' : 'pglz');
    if (kind === 'postgres') expect(settings[0].lz4).toBe(true); // Debian's PostgreSQL, here and in CI
    expect((await createAuditStore(knex()).get('toasted'))?.response).toEqual(response);
  });

  describe('append-only tables', () => {
    it.each(APPEND_ONLY)('%s refuses UPDATE, DELETE and TRUNCATE', async (table) => {
      await migrateLatest(knex());
      await seed(knex(), `refuse-${table}`);
      const refused = /append-only/;
      await expect(knex()(table).update({ [TEXT_COLUMN[table]]: 'rewritten' })).rejects.toThrow(refused);
      await expect(knex()(table).delete()).rejects.toThrow(refused);
      await expect(knex().raw(`TRUNCATE ${table}`)).rejects.toThrow(refused);
      const err = await knex()(table).delete().catch((e: { code?: string }) => e);
      expect(err).toMatchObject({ code: '42501' });
      const [{ n }] = await knex()(table).count({ n: '*' });
      expect(Number(n)).toBeGreaterThan(0);
    });

    it.each(APPEND_ONLY)('%s has no escape hatch: neither the old retention setting nor the prune flag lets anyone UPDATE', async (table) => {
      await migrateLatest(knex());
      await seed(knex(), `hatch-${table}`);
      for (const setting of ['gatehouse.retention', 'gatehouse.prune']) {
        await expect(
          knex().transaction(async (trx) => {
            await trx.raw(`SELECT set_config('${setting}', 'on', true)`);
            await trx(table).update({ [TEXT_COLUMN[table]]: 'redacted' });
          }),
        ).rejects.toThrow(/append-only/);
      }
      // The prune flag lets only the owner delete (here the tests' superuser owns the tables), and never update.
      await expect(
        knex().transaction(async (trx) => {
          await trx.raw("SELECT set_config('gatehouse.prune', 'on', true)");
          await trx(table).update({ [TEXT_COLUMN[table]]: 'redacted' });
        }),
      ).rejects.toThrow(/append-only/);
    });

    it('still takes INSERT … ON CONFLICT DO NOTHING (outbox replays)', async () => {
      await migrateLatest(knex());
      const rows = [auditRow({ request_id: 'replay-1' })];
      await createAuditStore(knex()).insertMany(rows);
      // A new store knows no chain's head: the long way, whose ON CONFLICT skips the row.
      await expect(createAuditStore(knex()).insertMany(rows)).resolves.toBe('long-way');
      const [{ n }] = await knex()('audit_events').where({ request_id: 'replay-1' }).count({ n: '*' });
      expect(Number(n)).toBe(1);
    });
  });
});
