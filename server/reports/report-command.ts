/**
 * `gatehouse report readiness --stage S [--window 72h] [--until ISO] [--format json|text]`:
 * the readiness report straight from the database (DATABASE_URL, or the PGlite data dir),
 * for a runbook step or a CI gate. Exit status: 0 the verdict that applies is ready, 1 not
 * ready, 2 bad arguments or unknown stage, 3 the database could not be read.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { CommandLine } from '../../engine/tooling/command-line.js';
import { stdio, withDatabase, type CommandIo } from '../db/database-command.js';
import { AppError } from '../errors.js';
import { createReadinessReporter, DEFAULT_WINDOW } from './readiness-report.js';
import { formatReadinessText } from './readiness-text.js';
import { snapshotOf } from '../stores.js';

export type { CommandIo };

interface ReadinessOptions {
  stage: string;
  window: string;
  until?: Date;
  format: 'json' | 'text';
}

export async function reportCommand(args: string[], env: NodeJS.ProcessEnv, io: CommandIo = stdio): Promise<number> {
  const cli = new CommandLine(io);
  const program = new Command('gatehouse report').description('reports from the database (DATABASE_URL, or the PGlite data dir)');
  program
    .command('readiness')
    .description('the readiness (burn-in) report of a stage and its verdict; exit 0 ready, 1 not ready, 2 bad arguments or unknown stage, 3 the database could not be read')
    .requiredOption('--stage <STAGE>', 'the stage, e.g. staging')
    .option('--window <DURATION>', 'how far back to look, e.g. 72h or 7d', DEFAULT_WINDOW)
    .option('--until <ISO-8601>', 'the end of the window (default: now)', isoDate)
    .addOption(new Option('--format <FORMAT>', 'the output format').choices(['json', 'text']).default('text'))
    .action(cli.action((options: ReadinessOptions) => readiness(options, env, io)));
  return cli.run(program, args);
}

function isoDate(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError('not an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z');
  return date;
}

async function readiness(values: ReadinessOptions, env: NodeJS.ProcessEnv, io: CommandIo): Promise<number> {
  const { stage, window, until, format } = values;
  return withDatabase(env, io, {
    name: 'gatehouse report',
    poolMax: 1,
    openFailedExit: 3,
    lockedMessage: (error) => `${error.message} Or ask the running server: GET /v1/reports/readiness.`,
    runFailed: (error) => {
      if (error instanceof AppError) {
        io.err(`gatehouse report: ${error.code}: ${error.message} ${error.suggestedFix}`);
        return 2;
      }
      io.err(`gatehouse report: ${(error as Error).message} (has \`gatehouse migrate\` been run on this database?)`);
      return 3;
    },
  }, async ({ db, config }) => {
    const reporter = createReadinessReporter({ snapshot: snapshotOf(db.knex), thresholds: config.readiness });
    const body = await reporter({ stage, window, until });
    io.out(format === 'json' ? JSON.stringify(body, null, 2) : formatReadinessText(body));
    return body.verdict.ready ? 0 : 1;
  });
}
