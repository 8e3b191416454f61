import { resolve } from 'node:path';
import { stdio, type CommandIo } from './database-command.js';
import { migrateLatest, openDatabase } from './database.js';
import { describeDatabaseUrl } from '../lib/redact.js';

export type MigrateCommandIo = CommandIo;

/**
 * `gatehouse migrate`: applies pending migrations to DATABASE_URL, or to the PGlite data dir
 * GATEHOUSE_DATA_DIR (default ./data, as the server). Returns the process exit code.
 */
export async function migrateCommand(env: NodeJS.ProcessEnv, io: MigrateCommandIo = stdio): Promise<number> {
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  const dataDir = env.GATEHOUSE_DATA_DIR?.trim() || './data';
  const target = databaseUrl ? `PostgreSQL ${describeDatabaseUrl(databaseUrl)}` : `PGlite in ${resolve(dataDir)}`;
  let db;
  try {
    db = await openDatabase({ databaseUrl, dataDir, poolMax: 1 });
  } catch (err) {
    io.err(`gatehouse migrate: cannot open ${target}: ${(err as Error).message}`);
    return 1;
  }
  try {
    const applied = await migrateLatest(db.knex);
    if (applied.length === 0) io.out(`${target}: already up to date`);
    else io.out(`${target}: applied ${applied.length} migration(s):\n${applied.map((n) => `  ${n}`).join('\n')}`);
    return 0;
  } catch (err) {
    io.err(`gatehouse migrate: migration failed on ${target}: ${(err as Error).message}`);
    return 1;
  } finally {
    await db.close();
  }
}
