import type { Knex } from 'knex';

// Fleet attestation: one row per server instance, upserted on a heartbeat and on every change
// of what it serves. Not an audit trail (rows are overwritten), so not append-only.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('fleet_instances', (t) => {
    t.text('instance_id').primary();
    t.text('hostname').notNullable();
    t.integer('pid').notNullable();
    t.text('version').notNullable();
    t.timestamp('started_at', { useTz: true, precision: 3 }).notNullable();
    // Set with the database clock, so that staleness never depends on the instances' clocks.
    t.timestamp('last_seen_at', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.timestamp('last_refresh_at', { useTz: true, precision: 3 });
    t.integer('interval_ms').notNullable();
    t.timestamp('stopped_at', { useTz: true, precision: 3 });
    t.jsonb('kill_switch').notNullable();
    t.text('mode_ceiling').notNullable();
    t.jsonb('stages').notNullable().defaultTo(knex.raw("'[]'::jsonb"));
    // How this instance hears about changes (LISTEN status, reconnects), its last refresh error and shadow queue.
    t.jsonb('runtime').notNullable().defaultTo(knex.raw("'{}'::jsonb"));
  });
  await knex.raw('CREATE INDEX fleet_instances_last_seen_idx ON fleet_instances (last_seen_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('fleet_instances');
}
