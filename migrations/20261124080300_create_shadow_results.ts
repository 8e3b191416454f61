import type { Knex } from 'knex';

// Shadow evaluation results: one row per evaluation of a stage that carries a candidate,
// keyed by the audit row's request_id. A table of its own rather than columns of audit_events:
// the candidate runs after the answer is sent, when the audit row is already committed and
// cannot be updated (append-only). The answered decision and codes are copied here so that the
// shadow report is one scan of this table.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('shadow_results', (t) => {
    t.text('request_id').primary();
    t.timestamp('created_at', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.text('stage').notNullable();
    t.text('mode').notNullable().checkIn(['off', 'advisory', 'enforced']);
    // What the caller got.
    t.text('pack_id').notNullable();
    t.text('policy_version').notNullable();
    t.text('policy_hash').notNullable();
    t.text('decision').notNullable().checkIn(['PASS', 'FAIL']);
    t.specificType('violation_codes', 'text[]').notNullable().defaultTo(knex.raw("'{}'::text[]"));
    // What the candidate would have said; decision and hash are null when it could not run.
    t.text('shadow_pack_id').notNullable();
    t.text('shadow_version').notNullable();
    t.text('shadow_hash');
    t.text('shadow_decision').checkIn(['PASS', 'FAIL']);
    t.specificType('shadow_violation_codes', 'text[]').notNullable().defaultTo(knex.raw("'{}'::text[]"));
    // Findings with masked evidence only (engine/mask.ts); never the content.
    t.jsonb('shadow_violations').notNullable().defaultTo(knex.raw("'[]'::jsonb"));
    t.text('shadow_error');
    t.double('shadow_latency_ms');
    t.text('instance_id').notNullable();
  });
  await knex.raw('CREATE INDEX shadow_results_stage_created_at_idx ON shadow_results (stage, created_at)');
  await knex.raw(`CREATE TRIGGER shadow_results_append_only BEFORE UPDATE OR DELETE ON shadow_results
    FOR EACH ROW EXECUTE FUNCTION gatehouse_append_only()`);
  await knex.raw(`CREATE TRIGGER shadow_results_no_truncate BEFORE TRUNCATE ON shadow_results
    FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_append_only()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('shadow_results');
}
