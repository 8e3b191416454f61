/**
 * Retention: removes audit rows (audit_events, agent_runs) older than a cut,
 * after exporting and verifying them (audit-archive.ts). Order, and why:
 *
 *   1. write the archive (reads only: a failure here deletes nothing);
 *   2. read it back from disk and check counts, hashes and key fingerprints;
 *   3. one transaction: gatehouse_prune_audit(cut), the SECURITY DEFINER
 *      function that is the only way past the append-only trigger (the role
 *      that writes rows cannot switch retention on itself), deletes the rows
 *      older than the cut (of audit_events, a prefix of each hash chain, with
 *      a checkpoint where the chain continues); then what was deleted (count
 *      and key fingerprint) is compared with the verified archive, and any
 *      difference (an outbox replay added an old row since the export, say)
 *      rolls the whole deletion back.
 *
 * Overrides and the stage pin history are not pruned: they are small and
 * they are the rollout's evidence. PostgreSQL partitioning is not used (see
 * docs/retention.md): deletion is row by row on both databases.
 */
import type { Knex } from 'knex';
import { toNumber } from '../../db/driver-values.js';
import { ArchiveError, chainBounds, PRUNED_TABLES, prunedRows, verifyArchive, writeArchive, type ArchiveManifest } from './audit-archive.js';

export interface PruneOptions {
  knex: Knex;
  database: 'postgres' | 'pglite';
  /** Rows with created_at strictly before this are removed. */
  cut: Date;
  /** Where the archive goes, or false to delete without one (the CLI asks for --no-export explicitly). */
  archive: { parentDir: string } | false;
  /** As given on the command line, recorded in the manifest. */
  olderThan?: string;
  now?: () => Date;
}

export interface PruneResult {
  cut: string;
  /** null when there was nothing to prune, or when pruning without an archive. */
  archive: { dir: string; manifest: ArchiveManifest } | null;
  deleted: Record<string, number>;
}

export class PruneMismatchError extends Error {
  constructor(readonly table: string, readonly expected: { rows: number; fingerprint: string }, readonly deleted: { rows: number; fingerprint: string }) {
    super(
      `${table}: the rows to delete (${deleted.rows}) are not the rows archived (${expected.rows}); nothing was deleted. ` +
        'Rows older than the cut appeared since the export (an outbox replay?): run the prune again.',
    );
    this.name = 'PruneMismatchError';
  }
}

/** Rows older than the cut, per pruned table (a dry run). */
export async function countOlderThan(knex: Knex, cut: Date): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const bounds = await chainBounds(knex, cut);
  for (const t of PRUNED_TABLES) {
    const where = prunedRows(t, cut, bounds);
    const { rows } = await knex.raw(`SELECT count(*) AS n FROM ${t.table} t WHERE ${where.sql}`, where.bindings);
    counts[t.table] = toNumber(rows[0].n);
  }
  return counts;
}

export async function pruneAudit(opts: PruneOptions): Promise<PruneResult> {
  const cut = opts.cut;
  if (Number.isNaN(cut.getTime())) throw new RangeError('the cut is not a valid time');
  const pending = await countOlderThan(opts.knex, cut);
  if (Object.values(pending).every((n) => n === 0)) {
    return { cut: cut.toISOString(), archive: null, deleted: Object.fromEntries(PRUNED_TABLES.map((t) => [t.table, 0])) };
  }
  let archive: PruneResult['archive'] = null;
  if (opts.archive) {
    const written = await writeArchive(opts.knex, { parentDir: opts.archive.parentDir, cut, olderThan: opts.olderThan, database: opts.database, now: opts.now });
    // Verified from disk, not from what was meant to be written.
    const verified = await verifyArchive(written.dir);
    archive = { dir: written.dir, manifest: verified };
  }
  const deleted = await deleteOlderThan(opts.knex, cut, archive?.manifest);
  return { cut: cut.toISOString(), archive, deleted };
}

/**
 * Deletes rows older than the cut from every pruned table in one transaction. With a
 * manifest, each table's deleted rows must match the archived ones (count and key
 * fingerprint), or everything is rolled back.
 */
export async function deleteOlderThan(knex: Knex, cut: Date, manifest?: ArchiveManifest): Promise<Record<string, number>> {
  if (manifest && Date.parse(manifest.cut) !== cut.getTime()) {
    throw new ArchiveError(`the archive was cut at ${manifest.cut}, not at ${cut.toISOString()}`);
  }
  return knex.transaction(async (trx) => {
    // Deletes in the function's own rights (the owner's); returns count and key fingerprint per table.
    const { rows } = await trx.raw('SELECT table_name, deleted, fingerprint FROM gatehouse_prune_audit(?::timestamptz)', [cut]);
    const byTable = new Map((rows as { table_name: string; deleted: unknown; fingerprint: unknown }[]).map((r) => [r.table_name, r]));
    const deleted: Record<string, number> = {};
    for (const t of PRUNED_TABLES) {
      const r = byTable.get(t.table);
      const got = { rows: r ? toNumber(r.deleted) : 0, fingerprint: r ? String(r.fingerprint) : '0' };
      if (manifest) {
        const file = manifest.files.find((f) => f.table === t.table);
        const want = { rows: file?.rows ?? 0, fingerprint: file?.key_fingerprint ?? '0' };
        if (got.rows !== want.rows || got.fingerprint !== want.fingerprint) throw new PruneMismatchError(t.table, want, got);
      }
      deleted[t.table] = got.rows;
    }
    return deleted;
  });
}
