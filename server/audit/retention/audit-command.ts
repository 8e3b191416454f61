/**
 * `gatehouse audit …`: the retention job and its archives, run against DATABASE_URL or the
 * PGlite data dir (GATEHOUSE_DATA_DIR), like `gatehouse migrate`.
 *
 *   prune --older-than 30d --export DIR   archive, verify, then delete rows older than the cut
 *   prune --older-than 30d --no-export    delete without an archive (must be asked for)
 *   prune --older-than 30d --dry-run      count only
 *   verify [--stage S] [--heads FILE]     walk the audit hash chains (audit-verify.ts); exit 1 when broken
 *   verify ARCHIVE                        check an archive's files against its manifest
 *   restore ARCHIVE                       put archived rows back (rows present are skipped)
 */
import { Command, Option } from 'commander';
import { CommandLine } from '../../../engine/tooling/command-line.js';
import { stdio, withDatabase, type CommandIo, type DatabaseCommand } from '../../db/database-command.js';
import type { Database } from '../../db/database.js';
import { parseDuration } from '../../lib/duration.js';
import { restoreArchive, verifyArchive } from './audit-archive.js';
import { chainVerifyCommand } from '../audit-verify-command.js';
import { countOlderThan, pruneAudit } from './audit-prune.js';

export type { CommandIo };

/** A prune never cuts closer than this: a typo such as `--older-than 30m` must not empty the audit. */
const MIN_AGE_MS = 86_400_000;

interface PruneOptions {
  olderThan?: string;
  export?: string;
  /** `--no-export` was given. */
  noExport: boolean;
  dryRun?: boolean;
  format: 'text' | 'json';
}

export async function auditCommand(args: string[], env: NodeJS.ProcessEnv, io: CommandIo = stdio, now: () => Date = () => new Date()): Promise<number> {
  const cli = new CommandLine(io);
  const program = new Command('gatehouse audit').description(
    'the audit retention job and its archives, on DATABASE_URL or the PGlite data dir (GATEHOUSE_DATA_DIR), like `gatehouse migrate`',
  );
  // --export DIR and --no-export set one value (the last wins): their events tell whether both were given.
  let exportDir: string | undefined;
  let noExport = false;
  program
    .command('prune')
    .description('archive rows older than the cut, verify the archive, then delete them (or only count them with --dry-run)')
    .option('--older-than <AGE>', 'the cut, in whole days or hours, at least 1d (e.g. 30d)')
    .option('--export <DIR>', 'write the archive under DIR')
    .option('--no-export', 'delete without an archive (must be asked for)')
    .option('--dry-run', 'count the rows a prune would remove; delete nothing')
    .addOption(new Option('--format <FORMAT>', 'the output format').choices(['text', 'json']).default('text'))
    .on('option:export', (dir: string) => (exportDir = dir))
    .on('option:no-export', () => (noExport = true))
    .action(
      cli.action((options: { olderThan?: string; dryRun?: boolean; format: 'text' | 'json' }) =>
        prune({ ...options, export: exportDir, noExport }, env, io, now),
      ),
    );
  program
    .command('verify')
    .description(
      "walk the audit hash chains and name the first row changed, deleted or inserted out of order (exit 1 when one is broken); " +
        "with ARCHIVE, check that archive's files against its manifest instead",
    )
    .argument('[ARCHIVE]', 'the archive folder a prune wrote')
    .option('--stage <STAGE>', "walk only this stage's chain")
    .option(
      '--heads <FILE>',
      'check the chains against heads kept outside the database (the service log\'s "audit chain head" lines, or an earlier ' +
        '`verify --format json`): names rows cut off the end and chains rewritten with their hashes recomputed',
    )
    .addOption(new Option('--format <FORMAT>', 'the output format').choices(['text', 'json']).default('text'))
    .action(
      cli.action((dir: string | undefined, options: { stage?: string; heads?: string; format: 'text' | 'json' }) =>
        dir === undefined ? chainVerifyCommand(options, env, io) : verifyCommand(dir, io),
      ),
    );
  program
    .command('restore')
    .description('put archived rows back into the database (rows already present are skipped)')
    .argument('<ARCHIVE>', 'the archive folder a prune wrote')
    .action(cli.action((dir: string) => withDatabase(env, io, auditCommandOn(io), ({ db }) => restoreCommand(db, dir, io))));
  return cli.run(program, args);
}

async function prune(values: PruneOptions, env: NodeJS.ProcessEnv, io: CommandIo, now: () => Date): Promise<number> {
  let ageMs: number;
  try {
    ageMs = parseDuration(values.olderThan ?? '');
  } catch {
    io.err('gatehouse audit prune: --older-than is required, as a whole number of days or hours (e.g. 30d)');
    return 2;
  }
  if (ageMs < MIN_AGE_MS) {
    io.err('gatehouse audit prune: --older-than must be at least 1d (the retention policy keeps 30 days hot)');
    return 2;
  }
  const dryRun = !!values.dryRun;
  if (values.export !== undefined && values.noExport) {
    io.err('gatehouse audit prune: give either --export DIR or --no-export, not both');
    return 2;
  }
  if (!dryRun && values.export === undefined && !values.noExport) {
    io.err('gatehouse audit prune: refusing to delete audit rows without an archive: add --export DIR (or --no-export to delete without one)');
    return 2;
  }
  const cut = new Date(now().getTime() - ageMs);
  const json = values.format === 'json';

  return withDatabase(env, io, auditCommandOn(io, 'nothing was deleted.'), async ({ db }) => {
    if (dryRun) {
      const counts = await countOlderThan(db.knex, cut);
      if (json) io.out(JSON.stringify({ cut: cut.toISOString(), dry_run: true, would_delete: counts }, null, 2));
      else io.out(`dry run: rows older than ${cut.toISOString()}: ${describe(counts)}`);
      return 0;
    }
    const result = await pruneAudit({
      knex: db.knex,
      database: db.kind,
      cut,
      archive: values.export === undefined ? false : { parentDir: values.export },
      olderThan: values.olderThan!,
      now,
    });
    if (json) {
      io.out(JSON.stringify({ cut: result.cut, archive: result.archive?.dir ?? null, manifest: result.archive?.manifest ?? null, deleted: result.deleted }, null, 2));
    } else {
      if (result.archive) {
        io.out(`archived and verified: ${result.archive.dir}`);
        for (const f of result.archive.manifest.files) io.out(`  ${f.file}: ${f.rows} rows, sha256 ${f.sha256}`);
      } else if (values.export !== undefined) {
        io.out(`nothing older than ${result.cut}: no archive written`);
      }
      io.out(`deleted rows older than ${result.cut}: ${describe(result.deleted)}`);
    }
    return 0;
  });
}

async function verifyCommand(dir: string, io: CommandIo): Promise<number> {
  try {
    const manifest = await verifyArchive(dir);
    io.out(`ok ${dir}: ${manifest.files.map((f) => `${f.table} ${f.rows} rows`).join(', ')} (cut ${manifest.cut})`);
    return 0;
  } catch (error) {
    io.err(`gatehouse audit verify: ${(error as Error).message}`);
    return 1;
  }
}

async function restoreCommand(db: Database, dir: string, io: CommandIo): Promise<number> {
  const restored = await restoreArchive(db.knex, dir);
  io.out(`restored from ${dir}: ${describe(restored)} (rows already present were skipped)`);
  return 0;
}

function auditCommandOn(io: CommandIo, afterFailure?: string): DatabaseCommand {
  return {
    name: 'gatehouse audit',
    poolMax: 2,
    openFailedExit: 1,
    lockedMessage: (error) => error.message,
    runFailed: (error) => {
      // Every failure before the delete transaction commits leaves the database as it was.
      io.err(`gatehouse audit: ${(error as Error).message}`);
      if (afterFailure) io.err(`gatehouse audit: ${afterFailure}`);
      return 1;
    },
  };
}

function describe(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([table, n]) => `${table} ${n}`)
    .join(', ');
}
