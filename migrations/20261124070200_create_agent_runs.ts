import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('agent_runs', (t) => {
    t.bigIncrements('id').primary();
    t.text('workflow_id').notNullable();
    t.text('agent').notNullable();
    // Epoch milliseconds as reported by the agent.
    t.bigInteger('start_ms').notNullable();
    t.bigInteger('end_ms').notNullable();
    t.boolean('success').notNullable();
    t.text('failure_reason');
    t.text('caller').notNullable();
    t.timestamp('created_at', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
  });
  await knex.raw('CREATE INDEX agent_runs_workflow_agent_idx ON agent_runs (workflow_id, agent)');
  await knex.raw('CREATE INDEX agent_runs_created_at_idx ON agent_runs (created_at)');
  await knex.raw(`CREATE TRIGGER agent_runs_append_only BEFORE UPDATE OR DELETE ON agent_runs
    FOR EACH ROW EXECUTE FUNCTION gatehouse_append_only()`);
  await knex.raw(`CREATE TRIGGER agent_runs_no_truncate BEFORE TRUNCATE ON agent_runs
    FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_append_only()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('agent_runs');
}
