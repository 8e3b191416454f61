import type { Knex } from 'knex';

// The kind of the evaluated content (`text` for a string, `thread` for an array), as the
// receipt's `content_kind` claim names it. An override receipt must carry the same kind as the
// blocked decision's receipt, and only the audit row survives the request: without this column
// the kind of a blocked decision could not be known later. Nullable, and rows written before
// this migration keep null (an override of such a row must send the content). Adding a nullable
// column rewrites no row, so the append-only trigger is not involved.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_events', (t) => {
    t.text('content_kind').checkIn(['text', 'thread']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_events', (t) => {
    t.dropColumn('content_kind');
  });
}
