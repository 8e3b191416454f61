import { stdio, withDatabase, type CommandIo } from './database-command.js';
import { migrateLatest } from './database.js';

export type MigrateCommandIo = CommandIo;

/**
 * `gatehouse migrate`: applies pending migrations to DATABASE_URL, or to the PGlite data dir
 * GATEHOUSE_DATA_DIR (default ./data, as the server). Returns the process exit code.
 */
export async function migrateCommand(env: NodeJS.ProcessEnv, io: MigrateCommandIo = stdio): Promise<number> {
  return withDatabase(env, io, {
    name: 'gatehouse migrate',
    poolMax: 1,
    openFailedExit: 1,
    runFailed: (error, target) => {
      io.err(`gatehouse migrate: migration failed on ${target}: ${(error as Error).message}`);
      return 1;
    },
  }, async ({ db, target }) => {
    const applied = await migrateLatest(db.knex);
    if (applied.length === 0) io.out(`${target}: already up to date`);
    else io.out(`${target}: applied ${applied.length} migration(s):\n${applied.map((n) => `  ${n}`).join('\n')}`);
    return 0;
  });
}
