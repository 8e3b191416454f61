/**
 * `gatehouse audit …`: the retention job and its archives, run against DATABASE_URL or the
 * PGlite data dir (GATEHOUSE_DATA_DIR), like `gatehouse migrate`.
 *
 *   prune --older-than 30d --export DIR   archive, verify, then delete rows older than the cut
 *   prune --older-than 30d --no-export    delete without an archive (must be asked for)
 *   prune --older-than 30d --dry-run      count only
 *   verify ARCHIVE                        check an archive's files against its manifest
 *   restore ARCHIVE                       put archived rows back (rows present are skipped)
 */
import { parseArgs } from 'node:util';
import { stdio, withDatabase, type CommandIo, type DatabaseCommand } from '../../db/database-command.js';
import type { Database } from '../../db/database.js';
import { parseDuration } from '../../lib/duration.js';
import { restoreArchive, verifyArchive } from './audit-archive.js';
import { countOlderThan, pruneAudit } from './audit-prune.js';

export type { CommandIo };

export const AUDIT_USAGE = `usage: gatehouse audit <command>
  prune --older-than 30d --export DIR [--format text|json]   archive rows older than the cut to DIR, verify, then delete them
  prune --older-than 30d --no-export                         delete without an archive
  prune --older-than 30d --dry-run                           count the rows a prune would remove
  verify ARCHIVE                                             check an archive against its manifest
  restore ARCHIVE                                            put archived rows back into the database`;

/** A prune never cuts closer than this: a typo such as `--older-than 30m` must not empty the audit. */
const MIN_AGE_MS = 86_400_000;

export async function auditCommand(args: string[], env: NodeJS.ProcessEnv, io: CommandIo = stdio, now: () => Date = () => new Date()): Promise<number> {
  const [sub, ...rest] = args;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        'older-than': { type: 'string' },
        export: { type: 'string' },
        'no-export': { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        format: { type: 'string', default: 'text' },
      },
    });
  } catch (error) {
    io.err(`gatehouse audit: ${(error as Error).message}\n${AUDIT_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (sub === 'verify' && positionals.length === 1) return verifyCommand(positionals[0]!, io);
  if (sub === 'restore' && positionals.length === 1) return withDatabase(env, io, auditCommandOn(io), ({ db }) => restoreCommand(db, positionals[0]!, io));
  if (sub !== 'prune' || positionals.length > 0) {
    io.err(AUDIT_USAGE);
    return 2;
  }

  let ageMs: number;
  try {
    ageMs = parseDuration(values['older-than'] ?? '');
  } catch {
    io.err(`gatehouse audit prune: --older-than is required, as a whole number of days or hours (e.g. 30d)\n${AUDIT_USAGE}`);
    return 2;
  }
  if (ageMs < MIN_AGE_MS) {
    io.err('gatehouse audit prune: --older-than must be at least 1d (the retention policy keeps 30 days hot)');
    return 2;
  }
  const dryRun = values['dry-run'];
  if (values.export !== undefined && values['no-export']) {
    io.err('gatehouse audit prune: give either --export DIR or --no-export, not both');
    return 2;
  }
  if (!dryRun && values.export === undefined && !values['no-export']) {
    io.err('gatehouse audit prune: refusing to delete audit rows without an archive: add --export DIR (or --no-export to delete without one)');
    return 2;
  }
  if (!['text', 'json'].includes(values.format)) {
    io.err(AUDIT_USAGE);
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
      olderThan: values['older-than'],
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
