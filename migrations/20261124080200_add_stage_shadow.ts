import type { Knex } from 'knex';

// A stage may carry a shadow candidate (`id@version`) beside its pin. The history keeps it too,
// so that who started or stopped a shadow comparison is on record. Adding columns does not touch
// existing rows, so the append-only trigger of stage_pin_history is not involved.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('stage_pins', (t) => {
    t.text('shadow');
  });
  await knex.schema.alterTable('stage_pin_history', (t) => {
    t.text('from_shadow');
    t.text('to_shadow');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('stage_pin_history', (t) => {
    t.dropColumn('to_shadow');
    t.dropColumn('from_shadow');
  });
  await knex.schema.alterTable('stage_pins', (t) => {
    t.dropColumn('shadow');
  });
}
