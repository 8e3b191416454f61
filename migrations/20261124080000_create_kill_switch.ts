import type { Knex } from 'knex';

// The kill switch thrown through the API: one current row (`kill_switch`, id = 1) that every
// instance reads on refresh, and an append-only history of every throw and release with who
// and why. GATEHOUSE_KILL_SWITCH=1 is per process and never stored here.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('kill_switch', (t) => {
    t.smallint('id').primary().checkIn(['1']);
    t.boolean('engaged').notNullable();
    t.text('reason').notNullable();
    t.text('changed_by').notNullable();
    t.text('changed_by_id').notNullable();
    t.timestamp('changed_at', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
  });
  await knex.schema.createTable('kill_switch_history', (t) => {
    t.bigIncrements('id').primary();
    t.boolean('engaged').notNullable();
    t.text('reason').notNullable();
    t.text('changed_by').notNullable();
    t.text('changed_by_id').notNullable();
    t.timestamp('changed_at', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
  });
  await knex.raw(`CREATE TRIGGER kill_switch_history_append_only BEFORE UPDATE OR DELETE ON kill_switch_history
    FOR EACH ROW EXECUTE FUNCTION gatehouse_append_only()`);
  await knex.raw(`CREATE TRIGGER kill_switch_history_no_truncate BEFORE TRUNCATE ON kill_switch_history
    FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_append_only()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('kill_switch_history');
  await knex.schema.dropTable('kill_switch');
}
