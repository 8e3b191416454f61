import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_keys', (t) => {
    t.text('id').primary();
    t.text('role').notNullable().checkIn(['evaluator', 'admin']);
    // Only a hash of the key is ever stored; the key itself is shown once, at creation.
    t.text('key_hash').notNullable().unique();
    t.text('label').notNullable();
    t.timestamp('created_at', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('api_keys');
}
