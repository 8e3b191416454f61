import type { Knex } from 'knex';

/**
 * Revocation is its own fact (issue 13, finding 6): a revoked signing key verifies nothing and
 * the JWKS lists it as revoked, while a retired one keeps verifying the receipts it signed.
 * Before this column `keys rotate --revoke` moved retired_at into the past; such keys stay
 * unpublished, which is what they were.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('signing_keys', (t) => {
    t.timestamp('revoked_at', { useTz: true, precision: 3 });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('signing_keys', (t) => {
    t.dropColumn('revoked_at');
  });
}
