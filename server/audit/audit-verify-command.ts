/**
 * `gatehouse audit verify [--stage S] [--format text|json]`: walks the audit hash chains
 * (audit-verify.ts) on DATABASE_URL or the PGlite data dir. Exit 0 when every chain is
 * intact, 1 when one is broken (naming the first row that breaks it) or the database
 * cannot be read. Needs SELECT only: any role can run it, including an auditor's.
 */
import { withDatabase, type CommandIo } from '../db/database-command.js';
import { verifyAuditChain, type VerifyReport } from './audit-verify.js';

export interface ChainVerifyOptions {
  stage?: string;
  format: 'text' | 'json';
}

export async function chainVerifyCommand(options: ChainVerifyOptions, env: NodeJS.ProcessEnv, io: CommandIo): Promise<number> {
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
      const report = await verifyAuditChain(db.knex, { stage: options.stage });
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
    io.out(`ok chain ${c.chain}: ${c.rows} rows from seq ${c.first_seq ?? '-'}, ${head}`);
  }
  if (report.unchained) io.err(`BROKEN: ${report.unchained.message}`);
  if (report.pre_chain_rows > 0) io.out(`${report.pre_chain_rows} rows were written before the chain began and are not covered`);
  if (!report.ok) io.err('gatehouse audit verify: the audit log was tampered with (or written around the audit writer)');
}
