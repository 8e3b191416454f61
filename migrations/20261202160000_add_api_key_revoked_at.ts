import type { Knex } from 'knex';

/**
 * API keys have a lifecycle (issue 13, finding 5): `gatehouse api-keys revoke` marks a key
 * revoked instead of deleting it, so that the audit's `caller` labels keep naming a known key.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('api_keys', (t) => {
    t.timestamp('revoked_at', { useTz: true, precision: 3 });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('api_keys', (t) => {
    t.dropColumn('revoked_at');
  });
}
