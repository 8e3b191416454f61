import type { Knex } from 'knex';

// Overrides (issue 7): a person allowed an enforced FAIL to be posted. One row per override,
// written before its receipt is signed, so that no override receipt exists without its row.
// Append-only like the other audit tables (same trigger function); actor and reason are
// required by the database itself, not only by the API, so "every override is logged with who
// and why" holds for any writer. No foreign key to audit_events: retention prunes audit rows
// after 30 days, while overrides are kept (they are few and are the rollout's evidence).

const MODES = ['off', 'advisory', 'enforced'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('overrides', (t) => {
    t.text('override_id').primary();
    t.timestamp('created_at', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    // The overridden decision, copied from its audit row.
    t.text('request_id').notNullable();
    t.text('overridden_receipt_id');
    t.text('stage').notNullable();
    t.text('mode').notNullable().checkIn(MODES);
    t.text('pack_id').notNullable();
    t.text('policy_version').notNullable();
    t.text('policy_hash').notNullable();
    t.text('decision').notNullable().checkIn(['PASS', 'FAIL', 'SKIPPED']);
    t.specificType('violation_codes', 'text[]').notNullable().defaultTo(knex.raw("'{}'::text[]"));
    t.text('content_sha256').notNullable();
    t.text('content_kind').notNullable().checkIn(['text', 'thread']);
    // The override receipt's jti.
    t.text('receipt_id').notNullable().unique();
    t.text('actor').notNullable();
    t.text('reason').notNullable();
    // The API key that asked for it (its label), beside the person named as actor.
    t.text('caller').notNullable();
  });
  await knex.raw(`ALTER TABLE overrides
    ADD CONSTRAINT overrides_actor_present CHECK (length(btrim(actor)) BETWEEN 1 AND 200),
    ADD CONSTRAINT overrides_reason_present CHECK (length(btrim(reason)) BETWEEN 1 AND 2000)`);
  await knex.raw('CREATE INDEX overrides_request_id_idx ON overrides (request_id)');
  await knex.raw('CREATE INDEX overrides_stage_created_at_idx ON overrides (stage, created_at)');
  await knex.raw(`CREATE TRIGGER overrides_append_only BEFORE UPDATE OR DELETE ON overrides
    FOR EACH ROW EXECUTE FUNCTION gatehouse_append_only()`);
  await knex.raw(`CREATE TRIGGER overrides_no_truncate BEFORE TRUNCATE ON overrides
    FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_append_only()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('overrides');
}
