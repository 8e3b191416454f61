import type { Knex } from 'knex';

/**
 * The audit batch in one round trip on pg (issue 14; server/audit/one-trip-append.ts). The
 * writer hashes the batch from where it left each chain, and this function, as one
 * autocommitted statement, takes the chains' advisory locks in the order given (the writer's
 * sorted order, as the long way takes them), checks under them that each chain still continues
 * at the link the writer assumed (its last row, or a prune's checkpoint beyond it, or the
 * genesis: as nextLinks in audit-insert.ts), and only then inserts. false: another writer moved
 * a chain on, nothing was written. A row already present (an outbox replay) fails the statement
 * on the primary key, and the writer takes the long way, which skips it.
 *
 * The column list is this migration's: a later column needs a new version of the function
 * (test/server/audit/one-trip-append.test.ts compares it with audit-insert.ts's COLUMNS).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE OR REPLACE FUNCTION gatehouse_audit_append(lock_key_space integer, lock_wait text, chains text[], seqs bigint[], prev_hashes text[], batch jsonb)
    RETURNS boolean
    LANGUAGE plpgsql AS $$
    DECLARE
      c text;
      at_heads boolean;
    BEGIN
      PERFORM set_config('lock_timeout', lock_wait, true);
      FOREACH c IN ARRAY chains LOOP
        PERFORM pg_advisory_xact_lock(lock_key_space, hashtext(c));
      END LOOP;
      SELECT bool_and(CASE WHEN coalesce(k.seq, 0) > coalesce(h.seq, 0) THEN (k.seq, k.prev_hash) = (x.seq, x.prev_hash)
                           WHEN h.seq > 0 THEN (h.seq + 1, h.row_hash) = (x.seq, x.prev_hash)
                           ELSE (1::bigint, repeat('0', 64)) = (x.seq, x.prev_hash) END)
        INTO at_heads
        FROM unnest(chains, seqs, prev_hashes) AS x(chain, seq, prev_hash)
        LEFT JOIN LATERAL (SELECT e.seq, e.row_hash FROM audit_events e
                            WHERE e.chain = x.chain ORDER BY e.seq DESC LIMIT 1) h ON true
        LEFT JOIN LATERAL (SELECT p.seq, p.prev_hash FROM audit_chain_checkpoints p
                            WHERE p.chain = x.chain ORDER BY p.seq DESC LIMIT 1) k ON true;
      IF at_heads IS NOT TRUE THEN
        RETURN false;
      END IF;
      INSERT INTO audit_events (request_id, receipt_id, created_at, stage, mode, pack_id, policy_version, policy_hash, decision, allowed,
                                violation_codes, violations, content_sha256, content_size, content_kind, content, workflow_id, agent, platform,
                                caller, caller_key_id, latency_ms, response, chain, seq, prev_hash, row_hash)
        SELECT request_id, receipt_id, created_at, stage, mode, pack_id, policy_version, policy_hash, decision, allowed,
               violation_codes, violations, content_sha256, content_size, content_kind, content, workflow_id, agent, platform,
               caller, caller_key_id, latency_ms, response, chain, seq, prev_hash, row_hash
          FROM jsonb_populate_recordset(NULL::audit_events, batch);
      RETURN true;
    END
    $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION IF EXISTS gatehouse_audit_append(integer, text, text[], bigint[], text[], jsonb)');
}
