/**
 * The published versions `gatehouse diff` compares against (`qa@1.2.0`): the
 * server's own database, found through its configuration (createConfig) and
 * opened as every command opens it (db/database-command.ts), only when a
 * source names a version. A PGlite folder that holds no database is refused,
 * never created.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PackSourceError } from '../../engine/tooling/pack-source.js';
import type { OpenPublished } from '../../engine/tooling/diff-command.js';
import { createConfig } from '../config.js';
import { openConfiguredDatabase } from '../db/database-command.js';
import { safeMessage } from '../lib/redact.js';

export function publishedPacks(env: NodeJS.ProcessEnv, cwd: string): OpenPublished {
  return async () => {
    let config;
    try {
      config = createConfig(env);
    } catch (error) {
      throw databaseUnavailable(error);
    }
    const dataDir = path.resolve(cwd, config.dataDir);
    // Opening PGlite on a folder that holds no database would create one: a diff must not leave one behind.
    if (!config.databaseUrl && !existsSync(path.join(dataDir, 'pglite'))) {
      throw new PackSourceError(
        'DATABASE_NOT_FOUND',
        `no gatehouse database in ${dataDir}, so published versions cannot be read.`,
        'Set DATABASE_URL (PostgreSQL) or GATEHOUSE_DATA_DIR to the data folder the server uses, or diff folders or git refs instead.',
        { data_dir: dataDir },
      );
    }
    let opened;
    try {
      opened = await openConfiguredDatabase({ ...config, dataDir }, 10);
    } catch (error) {
      throw databaseUnavailable(error);
    }
    const store = opened.stores.packs;
    const guard =
      <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
      async (...a: A): Promise<R> => {
        try {
          return await fn(...a);
        } catch (error) {
          throw databaseUnavailable(error);
        }
      };
    return { reader: { get: guard(store.get), versions: guard(store.versions) }, close: () => opened.db.close() };
  };
}

function databaseUnavailable(error: unknown): PackSourceError {
  const message = safeMessage(error);
  return new PackSourceError(
    'DATABASE_UNAVAILABLE',
    `the database of published versions could not be read: ${message}`,
    'Check DATABASE_URL / GATEHOUSE_DATA_DIR; stop a local server that holds the data folder; run `gatehouse migrate` if the tables are missing.',
  );
}
