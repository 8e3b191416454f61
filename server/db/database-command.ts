/**
 * What the `gatehouse` commands that work on the database share: their output (a line at a
 * time), the configuration (createConfig, as the server reads it), and the database it names
 * (DATABASE_URL, or the PGlite data dir GATEHOUSE_DATA_DIR) with every store built on it,
 * opened for the run and always closed. The one way a command reaches the database.
 */
import { resolve } from 'node:path';
import { ConfigError, createConfig, type Config } from '../config.js';
import { describeDatabaseUrl } from '../lib/redact.js';
import { createStores, type Stores } from '../stores.js';
import { DataDirLockedError, describeLockHolder } from './data-dir-lock.js';
import { openDatabase, type Database } from './database.js';

type Out = (line: string) => void;

export interface CommandIo {
  out: Out;
  err: Out;
}

export const stdio: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export interface DatabaseCommand {
  /** Starts every message, e.g. `gatehouse report`. */
  name: string;
  /** PostgreSQL pool size. */
  poolMax: number;
  /** Exit code when the configuration is invalid or the database cannot be opened. */
  openFailedExit: number;
  /** The message for a PGlite data dir held by another process; absent → told as any other failure to open. */
  lockedMessage?: (error: DataDirLockedError) => string;
  /** Tells a failure of the run on `io.err`; answers the exit code. `target` names the database. */
  runFailed: (error: unknown, target: string) => number;
}

/** What a command's run gets: the configuration, the open database, and every store on it. */
export interface CommandContext {
  config: Config;
  db: Database;
  stores: Stores;
  /** `PostgreSQL postgres://user:***@host/db` or `PGlite in /abs/data`, for messages. */
  target: string;
}

/** Reads the configuration, opens its database, runs, and closes the database whatever happens. */
export async function withDatabase(env: NodeJS.ProcessEnv, io: CommandIo, command: DatabaseCommand, run: (ctx: CommandContext) => Promise<number>): Promise<number> {
  let config: Config;
  try {
    config = createConfig(env);
  } catch (error) {
    io.err(`${command.name}: ${openFailure(error, command, 'the database')}`);
    return command.openFailedExit;
  }
  let ctx: CommandContext;
  describeLockHolder(command.name);
  try {
    ctx = await openConfiguredDatabase(config, command.poolMax);
  } catch (error) {
    io.err(`${command.name}: ${openFailure(error, command, describeTarget(config))}`);
    return command.openFailedExit;
  }
  try {
    return await run(ctx);
  } catch (error) {
    return command.runFailed(error, ctx.target);
  } finally {
    await ctx.db.close();
  }
}

/**
 * The database `config` names, with every store on it; the caller closes `db`. For a command
 * that opens it only when it turns out to need it (`gatehouse diff` and a published version).
 */
export async function openConfiguredDatabase(config: Config, poolMax: number): Promise<CommandContext> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax });
  return { config, db, stores: createStores(db.knex), target: describeTarget(config) };
}

export function describeTarget(config: Pick<Config, 'databaseUrl' | 'dataDir'>): string {
  return config.databaseUrl ? `PostgreSQL ${describeDatabaseUrl(config.databaseUrl)}` : `PGlite in ${resolve(config.dataDir)}`;
}

function openFailure(error: unknown, command: DatabaseCommand, target: string): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof DataDirLockedError && command.lockedMessage) return command.lockedMessage(error);
  return `cannot open ${target}: ${(error as Error).message}`;
}
