import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_events', (t) => {
    t.text('request_id').primary();
    t.text('receipt_id');
    // Millisecond precision, like a JS Date: the paging cursor round-trips created_at exactly.
    t.timestamp('created_at', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.text('stage').notNullable();
    t.text('mode').notNullable().checkIn(['off', 'advisory', 'enforced']);
    t.text('pack_id').notNullable();
    t.text('policy_version').notNullable();
    t.text('policy_hash').notNullable();
    t.text('decision').notNullable().checkIn(['PASS', 'FAIL', 'SKIPPED']);
    t.boolean('allowed').notNullable();
    t.specificType('violation_codes', 'text[]').notNullable().defaultTo(knex.raw("'{}'::text[]"));
    t.jsonb('violations').notNullable().defaultTo(knex.raw("'[]'::jsonb"));
    t.text('content_sha256').notNullable();
    t.integer('content_size').notNullable();
    t.text('content');
    t.text('workflow_id');
    t.text('agent');
    t.text('platform');
    t.text('caller').notNullable();
    t.double('latency_ms').notNullable();
    t.jsonb('response').notNullable();
  });
  // (created_at, request_id) is the paging order; it also serves plain created_at ranges.
  await knex.raw('CREATE INDEX audit_events_created_at_idx ON audit_events (created_at, request_id)');
  await knex.raw('CREATE INDEX audit_events_workflow_agent_idx ON audit_events (workflow_id, agent)');
  await knex.raw('CREATE INDEX audit_events_stage_created_at_idx ON audit_events (stage, created_at)');
  // Serves the code filter: violation_codes @> ARRAY['PROFANITY'].
  await knex.raw('CREATE INDEX audit_events_violation_codes_idx ON audit_events USING gin (violation_codes)');
  await knex.raw(`CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION gatehouse_append_only()`);
  await knex.raw(`CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_append_only()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_events');
}
