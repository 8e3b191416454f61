import type { Knex } from 'knex';

const MODES = ['off', 'advisory', 'enforced'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('stage_pins', (t) => {
    t.text('stage').primary();
    t.text('pack_id').notNullable();
    t.text('version').notNullable();
    t.text('mode').notNullable().checkIn(MODES);
    t.timestamp('updated_at', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.text('updated_by').notNullable();
  });
  await knex.schema.createTable('stage_pin_history', (t) => {
    t.bigIncrements('id').primary();
    t.text('stage').notNullable();
    t.timestamp('changed_at', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.text('changed_by').notNullable();
    // from_* are null for a stage's first pin.
    t.text('from_pack_id');
    t.text('from_version');
    t.text('from_mode').checkIn(MODES);
    t.text('to_pack_id').notNullable();
    t.text('to_version').notNullable();
    t.text('to_mode').notNullable().checkIn(MODES);
  });
  await knex.raw('CREATE INDEX stage_pin_history_stage_idx ON stage_pin_history (stage, id)');
  // Who changed what is an audit trail too.
  await knex.raw(`CREATE TRIGGER stage_pin_history_append_only BEFORE UPDATE OR DELETE ON stage_pin_history
    FOR EACH ROW EXECUTE FUNCTION gatehouse_append_only()`);
  await knex.raw(`CREATE TRIGGER stage_pin_history_no_truncate BEFORE TRUNCATE ON stage_pin_history
    FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_append_only()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('stage_pin_history');
  await knex.schema.dropTable('stage_pins');
}
