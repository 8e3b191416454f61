import type { Knex } from 'knex';

// One trigger function for every append-only table (audit_events, agent_runs,
// stage_pin_history): UPDATE, DELETE and TRUNCATE are refused unless the session or
// transaction has set gatehouse.retention = 'on', which only the retention job does:
//   BEGIN; SET LOCAL gatehouse.retention = 'on'; DELETE FROM audit_events WHERE ...; COMMIT;
// It runs the same on PostgreSQL and PGlite (both have plpgsql).

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE OR REPLACE FUNCTION gatehouse_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF coalesce(current_setting('gatehouse.retention', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'gatehouse: % on % refused: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Only the retention job changes these rows, after SET LOCAL gatehouse.retention = ''on''.';
    END
    $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION IF EXISTS gatehouse_append_only()');
}
