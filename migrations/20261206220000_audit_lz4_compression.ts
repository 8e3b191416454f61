import type { Knex } from 'knex';

/**
 * The audit row's large values TOAST-compressed with lz4 instead of pglz where the server has it
 * (issue 14). A row of the evaluate path is ~5 kB, over PostgreSQL's 2 kB threshold, so every
 * INSERT compresses its `response`: with lz4 PostgreSQL spent ~14 µs less CPU per row (~76
 * against ~90 µs, docs/performance.md "Audit writer"). No row is rewritten: values already
 * stored keep their compression, and both read back the same. A server built without lz4 (and
 * PGlite) keeps pglz.
 */
const COLUMNS = ['response', 'violations', 'content'];

async function hasLz4(knex: Knex): Promise<boolean> {
  const result = await knex.raw("SELECT 'lz4' = ANY(enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'");
  return (result.rows as { lz4: boolean | null }[])[0]?.lz4 === true;
}

function setCompression(method: 'lz4' | 'default'): string {
  return `ALTER TABLE audit_events ${COLUMNS.map((c) => `ALTER COLUMN ${c} SET COMPRESSION ${method}`).join(', ')}`;
}

export async function up(knex: Knex): Promise<void> {
  if (await hasLz4(knex)) await knex.raw(setCompression('lz4'));
}

export async function down(knex: Knex): Promise<void> {
  if (await hasLz4(knex)) await knex.raw(setCompression('default'));
}
