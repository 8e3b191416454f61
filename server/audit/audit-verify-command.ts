/**
 * `gatehouse audit verify [--stage S] [--heads FILE] [--format text|json]`: walks the audit
 * hash chains (audit-verify.ts) on DATABASE_URL or the PGlite data dir. Exit 0 when every
 * chain is intact, 1 when one is broken (naming the first row that breaks it) or the
 * database cannot be read, 2 when FILE holds no heads. Needs SELECT only: any role can run
 * it, including an auditor's.
 *
 * FILE holds heads kept outside the database: the service's log (its `audit chain head`
 * lines, head-witness.ts), or the JSON of an earlier `verify --format json`.
 */
import { readFileSync } from 'node:fs';
import { withDatabase, type CommandIo } from '../db/database-command.js';
import type { ChainHead } from './audit-chain.js';
import { verifyAuditChain, type VerifyReport } from './audit-verify.js';

export interface ChainVerifyOptions {
  stage?: string;
  heads?: string;
  format: 'text' | 'json';
}

export async function chainVerifyCommand(options: ChainVerifyOptions, env: NodeJS.ProcessEnv, io: CommandIo): Promise<number> {
  let heads: ChainHead[] | undefined;
  if (options.heads !== undefined) {
    try {
      heads = readHeads(readFileSync(options.heads, 'utf8'));
    } catch (error) {
      io.err(`gatehouse audit verify: cannot read --heads ${options.heads}: ${(error as Error).message}`);
      return 2;
    }
    if (heads.length === 0) {
      io.err(
        `gatehouse audit verify: ${options.heads} holds no chain heads: give the service's log (its "audit chain head" lines) ` +
          'or the output of an earlier `gatehouse audit verify --format json`',
      );
      return 2;
    }
  }
  return withDatabase(
    env,
    io,
    {
      name: 'gatehouse audit verify',
      poolMax: 2,
      openFailedExit: 1,
      lockedMessage: (error) => error.message,
      runFailed: (error) => {
        io.err(`gatehouse audit verify: ${(error as Error).message}`);
        return 1;
      },
    },
    async ({ db }) => {
      const report = await verifyAuditChain(db.knex, { stage: options.stage, heads });
      if (options.format === 'json') io.out(JSON.stringify(report, null, 2));
      else describe(report, options.stage, io);
      return report.ok ? 0 : 1;
    },
  );
}

function describe(report: VerifyReport, stage: string | undefined, io: CommandIo): void {
  if (report.chains.length === 0) io.out(stage === undefined ? 'no chained audit rows yet' : `no chained audit rows for stage ${stage}`);
  for (const c of report.chains) {
    if (c.problem) {
      io.err(`BROKEN chain ${c.chain}: ${c.problem.message} (${c.rows} rows intact before it)`);
      continue;
    }
    const head = c.head ? `head seq ${c.head.seq} ${c.head.row_hash}` : 'empty (pruned)';
    const kept = c.heads_matched + c.heads_pruned > 0 ? `; ${c.heads_matched} kept heads matched${c.heads_pruned > 0 ? `, ${c.heads_pruned} pruned since` : ''}` : '';
    io.out(`ok chain ${c.chain}: ${c.rows} rows from seq ${c.first_seq ?? '-'}, ${head}${kept}`);
  }
  if (report.unchained) io.err(`BROKEN: ${report.unchained.message}`);
  if (report.pre_chain_rows > 0) io.out(`${report.pre_chain_rows} rows were written before the chain began and are not covered`);
  if (!report.ok) io.err('gatehouse audit verify: the audit log was tampered with (or written around the audit writer)');
}

/**
 * Heads from a `verify --format json` report (each chain's `head`), or from a log: one JSON
 * object per line, the lines that are not a head record skipped.
 */
export function readHeads(text: string): ChainHead[] {
  const report = parseJson(text) as { chains?: { chain: string; head: { seq: number; row_hash: string } | null }[] } | undefined;
  if (Array.isArray(report?.chains)) return report.chains.flatMap((c) => (c.head ? [{ chain: c.chain, seq: c.head.seq, row_hash: c.head.row_hash }] : []));
  const heads: ChainHead[] = [];
  for (const line of text.split('\n')) {
    const { chain, seq, row_hash } = (parseJson(line) ?? {}) as Record<string, unknown>;
    if (typeof chain === 'string' && Number.isSafeInteger(seq) && typeof row_hash === 'string' && /^[0-9a-f]{64}$/.test(row_hash)) {
      heads.push({ chain, seq: seq as number, row_hash });
    }
  }
  return heads;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
