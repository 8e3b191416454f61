/**
 * What the `gatehouse` commands that work on the database share: their output (a line at a
 * time) and, for those that read the server's configuration, opening the database it names
 * (DATABASE_URL, or the PGlite data dir GATEHOUSE_DATA_DIR), running, and always closing it.
 */
import { ConfigError, createConfig, type Config } from '../config.js';
import { DataDirLockedError } from './data-dir-lock.js';
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
  /** Tells a failure of the run on `io.err`; answers the exit code. */
  runFailed: (error: unknown) => number;
}

/** Reads the configuration, opens its database, runs, and closes the database whatever happens. */
export async function withDatabase(
  env: NodeJS.ProcessEnv,
  io: CommandIo,
  command: DatabaseCommand,
  run: (db: Database, config: Config) => Promise<number>,
): Promise<number> {
  let config: Config;
  let db: Database;
  try {
    config = createConfig(env);
    db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: command.poolMax });
  } catch (error) {
    io.err(`${command.name}: ${openFailure(error, command)}`);
    return command.openFailedExit;
  }
  try {
    return await run(db, config);
  } catch (error) {
    return command.runFailed(error);
  } finally {
    await db.close();
  }
}

function openFailure(error: unknown, command: DatabaseCommand): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof DataDirLockedError && command.lockedMessage) return command.lockedMessage(error);
  return `cannot open the database: ${(error as Error).message}`;
}
