import type { Knex } from 'knex';

// An audit the application cannot rewrite, and that shows when someone else did
// (docs/decisions/0010-audit-hash-chain.md):
//
// - The append-only guard loses its escape hatch. Before, any role that could write a row
//   could also `SET LOCAL gatehouse.retention = 'on'` and UPDATE or DELETE. Now UPDATE and
//   TRUNCATE are always refused, and DELETE only inside gatehouse_prune_audit(): a SECURITY
//   DEFINER function owned by the role that ran this migration (the owner), which sets a
//   transaction-local flag that the guard honours only when the current user owns the table.
//   A runtime role that is not the owner can set the flag all it wants: it stays refused.
// - Every new audit row carries its place in a hash chain per stage (chain, seq, prev_hash,
//   row_hash), computed by the audit writer (server/audit/audit-chain.ts). Rows written before
//   this migration keep null there and are reported as pre-chain by `gatehouse audit verify`.
// - Pruning keeps the chain verifiable: it deletes a prefix of each chain, and records where
//   the chain continues (seq and prev_hash of the first kept row) in audit_chain_checkpoints.
// - caller_key_id: the API key that made the decision, so that only it (or an admin) reads it back.

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE OR REPLACE FUNCTION gatehouse_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE'
         AND coalesce(current_setting('gatehouse.prune', true), '') = 'on'
         AND current_user = (SELECT pg_get_userbyid(c.relowner) FROM pg_class c WHERE c.oid = TG_RELID) THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION 'gatehouse: % on % refused: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Rows are never changed; only gatehouse_prune_audit(cut), the retention function, removes old rows.';
    END
    $$`);

  await knex.schema.alterTable('audit_events', (t) => {
    t.text('chain');
    t.bigInteger('seq');
    t.text('prev_hash');
    t.text('row_hash');
    t.text('caller_key_id');
  });
  // One row per place in a chain: two writers that both thought they held the head cannot fork it.
  await knex.raw('CREATE UNIQUE INDEX audit_events_chain_seq_idx ON audit_events (chain, seq) WHERE chain IS NOT NULL');

  await knex.schema.createTable('audit_chain_checkpoints', (t) => {
    t.text('chain').notNullable();
    // The first row kept after a prune: its seq and the hash it must link to.
    t.bigInteger('seq').notNullable();
    t.text('prev_hash').notNullable();
    t.timestamp('cut', { useTz: true, precision: 3 }).notNullable();
    t.timestamp('created_at', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.primary(['chain', 'seq']);
  });
  await knex.raw(`CREATE TRIGGER audit_chain_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_chain_checkpoints
    FOR EACH ROW EXECUTE FUNCTION gatehouse_append_only()`);
  await knex.raw(`CREATE TRIGGER audit_chain_checkpoints_no_truncate BEFORE TRUNCATE ON audit_chain_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_append_only()`);

  // Per chain, the seq below which every row goes: the prefix of rows older than the cut that
  // ends before the first row kept. A row older than the cut that was committed after a newer
  // one (clock skew, an outbox replay) stays until the next prune, so no hole opens mid-chain.
  // Used by the archive (to export exactly these rows) and by the prune (to delete them).
  await knex.raw(`
    CREATE OR REPLACE FUNCTION gatehouse_audit_prune_bounds(cut timestamptz)
    RETURNS TABLE (chain text, below_seq bigint)
    LANGUAGE sql STABLE AS $$
      SELECT p.chain,
             coalesce((SELECT min(k.seq) FROM audit_events k
                        WHERE k.chain = p.chain AND k.seq < p.last_seq AND k.created_at >= cut),
                      p.last_seq + 1)
        FROM (SELECT e.chain, max(e.seq) AS last_seq FROM audit_events e
               WHERE e.created_at < cut AND e.chain IS NOT NULL GROUP BY e.chain) p
    $$`);

  // The only way rows leave audit_events and agent_runs. Runs as the owner; the runtime role
  // is granted EXECUTE on it and nothing else that deletes (docs/operations.md). Returns, per
  // table, the rows deleted and the sum of key fingerprints (audit-archive.ts) so that the
  // caller can compare them with the verified archive and roll back on any difference.
  await knex.raw(`
    CREATE OR REPLACE FUNCTION gatehouse_prune_audit(cut timestamptz)
    RETURNS TABLE (table_name text, deleted bigint, fingerprint text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
    DECLARE
      bounds jsonb;
    BEGIN
      IF cut IS NULL OR cut > now() - interval '1 day' THEN
        RAISE EXCEPTION 'gatehouse_prune_audit: the cut must be at least one day old' USING ERRCODE = 'invalid_parameter_value';
      END IF;
      SELECT coalesce(jsonb_object_agg(b.chain, b.below_seq), '{}'::jsonb) INTO bounds FROM gatehouse_audit_prune_bounds(cut) b;
      INSERT INTO audit_chain_checkpoints (chain, seq, prev_hash, cut)
        SELECT e.chain, e.seq + 1, e.row_hash, cut
          FROM jsonb_each_text(bounds) AS b(chain, below)
          JOIN audit_events e ON e.chain = b.chain AND e.seq = b.below::bigint - 1
        ON CONFLICT DO NOTHING;
      PERFORM set_config('gatehouse.prune', 'on', true);
      RETURN QUERY
        WITH d AS (
          DELETE FROM audit_events t
           WHERE t.created_at < cut
             AND (t.chain IS NULL OR t.seq < (bounds ->> t.chain)::bigint)
          RETURNING t.request_id AS k)
        SELECT 'audit_events'::text, count(*)::bigint,
               coalesce(sum((('x' || substr(encode(sha256(convert_to(d.k, 'UTF8')), 'hex'), 1, 15))::bit(60)::bigint)), 0)::text
          FROM d;
      RETURN QUERY
        WITH d AS (DELETE FROM agent_runs t WHERE t.created_at < cut RETURNING t.id::text AS k)
        SELECT 'agent_runs'::text, count(*)::bigint,
               coalesce(sum((('x' || substr(encode(sha256(convert_to(d.k, 'UTF8')), 'hex'), 1, 15))::bit(60)::bigint)), 0)::text
          FROM d;
      PERFORM set_config('gatehouse.prune', '', true);
    END
    $$`);
  // Nobody but the owner runs it until an operator grants it (docs/operations.md).
  await knex.raw('REVOKE ALL ON FUNCTION gatehouse_prune_audit(timestamptz) FROM PUBLIC');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION IF EXISTS gatehouse_prune_audit(timestamptz)');
  await knex.raw('DROP FUNCTION IF EXISTS gatehouse_audit_prune_bounds(timestamptz)');
  await knex.schema.dropTable('audit_chain_checkpoints');
  await knex.raw('DROP INDEX IF EXISTS audit_events_chain_seq_idx');
  // Dropping columns rewrites no row, so the guard is not involved.
  await knex.schema.alterTable('audit_events', (t) => {
    t.dropColumns('chain', 'seq', 'prev_hash', 'row_hash', 'caller_key_id');
  });
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
