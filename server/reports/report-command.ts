/**
 * `gatehouse report readiness --stage S [--window 72h] [--until ISO] [--format json|text]`:
 * the readiness report straight from the database (DATABASE_URL, or the PGlite data dir),
 * for a runbook step or a CI gate. Exit status: 0 the verdict that applies is ready, 1 not
 * ready, 2 bad arguments or unknown stage, 3 the database could not be read.
 */
import { parseArgs } from 'node:util';
import { stdio, withDatabase, type CommandIo } from '../db/database-command.js';
import { AppError } from '../errors.js';
import { createReadinessReporter, DEFAULT_WINDOW } from './readiness-report.js';
import { formatReadinessText } from './readiness-text.js';
import { snapshotOf } from '../stores.js';

export type { CommandIo };

export const REPORT_USAGE = 'usage: gatehouse report readiness --stage STAGE [--window 72h] [--until ISO-8601] [--format json|text]';

export async function reportCommand(args: string[], env: NodeJS.ProcessEnv, io: CommandIo = stdio): Promise<number> {
  const [report, ...rest] = args;
  if (report !== 'readiness') {
    io.err(REPORT_USAGE);
    return 2;
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { stage: { type: 'string' }, window: { type: 'string', default: DEFAULT_WINDOW }, until: { type: 'string' }, format: { type: 'string', default: 'text' } },
    }));
  } catch (error) {
    io.err(`gatehouse report: ${(error as Error).message}\n${REPORT_USAGE}`);
    return 2;
  }
  if (!values.stage || !['json', 'text'].includes(values.format)) {
    io.err(REPORT_USAGE);
    return 2;
  }
  const until = values.until === undefined ? undefined : new Date(values.until);
  if (until && Number.isNaN(until.getTime())) {
    io.err(`gatehouse report: --until ${values.until} is not an ISO 8601 date-time`);
    return 2;
  }

  const { stage, window, format } = values;
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
