import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pack_versions', (t) => {
    t.text('pack_id').notNullable();
    t.text('version').notNullable();
    t.text('hash').notNullable();
    t.jsonb('resolved').notNullable();
    t.timestamp('published_at', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.primary(['pack_id', 'version']);
  });
  await knex.raw('CREATE INDEX pack_versions_published_at_idx ON pack_versions (pack_id, published_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('pack_versions');
}
