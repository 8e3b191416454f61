/**
 * `gatehouse audit verify`: walks each stage's hash chain (audit-chain.ts) in
 * seq order and names the first row that breaks it:
 *
 * - changed: the row's fields no longer hash to its row_hash;
 * - deleted: a hole in seq (or a chain that starts past 1 where no prune left a checkpoint);
 * - inserted out of order: the row does not link to the row before it (its prev_hash is
 *   not that row's row_hash), or a row outside any chain written after the chain began.
 *
 * Alone it cannot see rows cut off the end of a chain, nor a chain rewritten wholesale with
 * every later hash recomputed (docs/decisions/0010-audit-hash-chain.md). Given heads kept
 * somewhere the database's superuser cannot reach (an earlier `verify --format json`, or the
 * `audit chain head` lines the service logs), it names both:
 *
 * - truncated: a kept head's row is gone and the chain now ends before it;
 * - rewritten: the row at a kept head's seq no longer has the kept hash.
 */
import type { Knex } from 'knex';
import { toNumber } from '../db/driver-values.js';
import { GENESIS_HASH, rowHash } from './audit-chain.js';
import { mapChainedRow, type ChainedAuditRow } from './audit-store.js';

const PAGE = 1_000;

export type ChainBreak = 'changed' | 'deleted' | 'out-of-order' | 'truncated' | 'rewritten';

/** A head kept outside the database: the chain, a seq in it and that row's row_hash. */
export interface KeptHead {
  chain: string;
  seq: number;
  row_hash: string;
}

export interface ChainProblem {
  kind: ChainBreak;
  /** The row named: the changed one, the one after a hole, or the one that does not link. */
  request_id: string | null;
  seq: number | null;
  message: string;
}

export interface ChainReport {
  chain: string;
  /** Rows checked (up to the first problem). */
  rows: number;
  first_seq: number | null;
  /** The last row: keep its hash elsewhere to detect rows cut off the end later. */
  head: { seq: number; row_hash: string; request_id: string } | null;
  problem: ChainProblem | null;
  /** Kept heads this chain was checked against (found with the same hash, or anchored by a prune's checkpoint). */
  heads_matched: number;
  /** Kept heads older than the chain's first row (pruned since) and so no longer checkable. */
  heads_pruned: number;
}

export interface VerifyReport {
  ok: boolean;
  chains: ChainReport[];
  /** Rows without a place in any chain (written before the chain began). */
  pre_chain_rows: number;
  /** A row outside the chains written after they began: inserted around the writer. */
  unchained: ChainProblem | null;
}

export async function verifyAuditChain(knex: Knex, opts: { stage?: string; heads?: readonly KeptHead[] } = {}): Promise<VerifyReport> {
  const kept = (opts.heads ?? []).filter((h) => opts.stage === undefined || h.chain === opts.stage);
  // A chain that only a kept head still names was removed whole: it is walked (empty) and found truncated.
  const chains = opts.stage !== undefined ? [opts.stage] : [...new Set([...(await chainNames(knex)), ...kept.map((h) => h.chain)])].sort();
  const reports: ChainReport[] = [];
  for (const chain of chains) reports.push(await verifyChain(knex, chain, kept.filter((h) => h.chain === chain)));
  const { pre_chain_rows, unchained } = await unchainedRows(knex, opts.stage);
  return { ok: reports.every((r) => r.problem === null) && unchained === null, chains: reports, pre_chain_rows, unchained };
}

async function chainNames(knex: Knex): Promise<string[]> {
  const { rows } = await knex.raw(
    'SELECT chain FROM audit_events WHERE chain IS NOT NULL UNION SELECT chain FROM audit_chain_checkpoints ORDER BY chain',
  );
  return (rows as { chain: string }[]).map((r) => r.chain);
}

async function verifyChain(knex: Knex, chain: string, heads: readonly KeptHead[]): Promise<ChainReport> {
  const checkpoints = new Map<number, string>(
    (await knex('audit_chain_checkpoints').where({ chain }).select('seq', 'prev_hash')).map((c: { seq: unknown; prev_hash: string }) => [
      toNumber(c.seq),
      c.prev_hash,
    ]),
  );
  const report: ChainReport = { chain, rows: 0, first_seq: null, head: null, problem: null, heads_matched: 0, heads_pruned: 0 };
  const wanted = new Map<number, KeptHead[]>();
  for (const h of heads) wanted.set(h.seq, [...(wanted.get(h.seq) ?? []), h]);
  const seen = new Set<number>();
  let previous: ChainedAuditRow | undefined;
  for (;;) {
    const page = (
      await knex('audit_events')
        .where({ chain })
        .andWhere('seq', '>', previous?.seq ?? 0)
        .orderBy('seq')
        .limit(PAGE)
    ).map(mapChainedRow);
    for (const row of page) {
      // A hole that a prune left (a restored older archive before it) starts again at its checkpoint.
      const pruned = previous !== undefined && row.seq !== previous.seq! + 1 && checkpoints.has(row.seq!);
      const problem = previous && !pruned ? checkLink(previous, row) : checkStart(row, checkpoints);
      report.problem = problem ?? checkHash(row) ?? checkKept(row, wanted.get(row.seq!));
      if (report.problem) return report;
      if (wanted.has(row.seq!)) seen.add(row.seq!);
      report.rows++;
      report.first_seq ??= row.seq;
      report.head = { seq: row.seq!, row_hash: row.row_hash!, request_id: row.request_id };
      previous = row;
    }
    if (page.length < PAGE) break;
  }
  return checkUnseen(report, wanted, seen, checkpoints);
}

function checkKept(row: ChainedAuditRow, kept: KeptHead[] | undefined): ChainProblem | null {
  const other = kept?.find((h) => h.row_hash !== row.row_hash);
  if (!other) return null;
  return problem(
    'rewritten',
    row,
    `row seq ${row.seq} (request_id ${row.request_id}) is not the row kept as a head at seq ${other.seq} (${other.row_hash}): ` +
      'the chain was rewritten up to here with its hashes recomputed',
  );
}

/** Kept heads the walk did not meet: cut off the end, or pruned from the start (anchored by a checkpoint, or no longer checkable). */
function checkUnseen(report: ChainReport, wanted: Map<number, KeptHead[]>, seen: Set<number>, checkpoints: Map<number, string>): ChainReport {
  for (const [seq, kept] of [...wanted].sort(([a], [b]) => a - b)) {
    if (seen.has(seq)) {
      report.heads_matched += kept.length;
      continue;
    }
    // The chain's last seq: its last row, or for a chain pruned whole, the row before its last checkpoint.
    const last = report.head?.seq ?? Math.max(0, ...[...checkpoints.keys()].map((s) => s - 1));
    if (seq > last) {
      const end = last > 0 ? `seq ${last}` : 'no row';
      report.problem = {
        kind: 'truncated',
        request_id: null,
        seq,
        message: `the chain ends at ${end}, but seq ${seq} was kept as its head (${kept[0]!.row_hash}): rows cut off the end`,
      };
      return report;
    }
    // Older than the first row left: a prune removed it. The checkpoint a prune leaves names the hash before its cut.
    const anchor = checkpoints.get(seq + 1);
    if (anchor !== undefined && kept.some((h) => h.row_hash !== anchor)) {
      report.problem = {
        kind: 'rewritten',
        request_id: null,
        seq,
        message: `the prune checkpoint at seq ${seq + 1} does not continue the head kept at seq ${seq}: the chain was rewritten before the prune`,
      };
      return report;
    }
    if (anchor !== undefined) report.heads_matched += kept.length;
    else report.heads_pruned += kept.length;
  }
  return report;
}

function checkStart(row: ChainedAuditRow, checkpoints: Map<number, string>): ChainProblem | null {
  const seq = row.seq!;
  if (seq === 1) {
    if (row.prev_hash === GENESIS_HASH) return null;
    return problem('out-of-order', row, `row seq 1 (request_id ${row.request_id}) does not start the chain: its prev_hash is not the genesis hash`);
  }
  const anchor = checkpoints.get(seq);
  if (anchor === undefined) {
    return problem('deleted', row, `rows seq 1..${seq - 1} before request_id ${row.request_id} (seq ${seq}) are missing, and no prune recorded a checkpoint there: deleted`);
  }
  if (anchor !== row.prev_hash) {
    return problem('out-of-order', row, `row seq ${seq} (request_id ${row.request_id}) does not link to the checkpoint the prune recorded at seq ${seq}`);
  }
  return null;
}

function checkLink(previous: ChainedAuditRow, row: ChainedAuditRow): ChainProblem | null {
  const expected = previous.seq! + 1;
  if (row.seq !== expected) {
    const gap = row.seq! - 1 === expected ? `row seq ${expected} is` : `rows seq ${expected}..${row.seq! - 1} are`;
    return problem('deleted', row, `${gap} missing between request_id ${previous.request_id} (seq ${previous.seq}) and request_id ${row.request_id} (seq ${row.seq}): deleted`);
  }
  if (row.prev_hash !== previous.row_hash) {
    return problem(
      'out-of-order',
      row,
      `row seq ${row.seq} (request_id ${row.request_id}) does not link to row seq ${previous.seq} (request_id ${previous.request_id}): ` +
        'inserted out of order, or the row before it was rewritten together with its row_hash',
    );
  }
  return null;
}

function checkHash(row: ChainedAuditRow): ChainProblem | null {
  const recomputed = rowHash(row, { chain: row.chain!, seq: row.seq!, prev_hash: row.prev_hash! });
  if (recomputed === row.row_hash) return null;
  return problem('changed', row, `row seq ${row.seq} (request_id ${row.request_id}) was changed: its fields no longer hash to its row_hash`);
}

function problem(kind: ChainBreak, row: ChainedAuditRow, message: string): ChainProblem {
  return { kind, request_id: row.request_id, seq: row.seq, message };
}

async function unchainedRows(knex: Knex, stage: string | undefined): Promise<Pick<VerifyReport, 'pre_chain_rows' | 'unchained'>> {
  const scope = stage === undefined ? '' : ' AND stage = ?';
  const bindings = stage === undefined ? [] : [stage];
  const { rows } = await knex.raw(
    `WITH start AS (SELECT min(created_at) AS t FROM audit_events WHERE chain IS NOT NULL)
     SELECT count(*) FILTER (WHERE start.t IS NULL OR e.created_at < start.t) AS before,
            (SELECT u.request_id FROM audit_events u, start s
              WHERE u.chain IS NULL AND s.t IS NOT NULL AND u.created_at >= s.t${scope.replace('stage', 'u.stage')}
              ORDER BY u.created_at, u.request_id LIMIT 1) AS first_after
       FROM audit_events e, start
      WHERE e.chain IS NULL${scope.replace('stage', 'e.stage')}
      GROUP BY start.t`,
    [...bindings, ...bindings],
  );
  const r = rows[0] as { before: unknown; first_after: string | null } | undefined;
  const firstAfter = r?.first_after ?? null;
  return {
    pre_chain_rows: r ? toNumber(r.before) : 0,
    unchained:
      firstAfter === null
        ? null
        : { kind: 'out-of-order', request_id: firstAfter, seq: null, message: `request_id ${firstAfter} has no place in any chain although it was written after the chain began: inserted around the audit writer` },
  };
}
