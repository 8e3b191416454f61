// temporary: start-up phases on a PGlite data dir (deleted after use)
const t0 = performance.now();
const lap = (what: string) => console.log(`${(performance.now() - t0).toFixed(0).padStart(6)} ms  ${what}`);
const { createConfig } = await import('../../dist/server/config.js');
const { openDatabase, migrateLatest } = await import('../../dist/server/db/database.js');
const { createGatehouse } = await import('../../dist/server/gatehouse.js');
const { createLogger } = await import('../../dist/server/logger.js');
lap('imports');
const config = createConfig({ ...process.env, GATEHOUSE_DATA_DIR: process.argv[2], GATEHOUSE_RULES_DIR: 'rules', GATEHOUSE_API_KEYS: 'admin:bench-admin-key-0123456789abcdef' });
const logger = createLogger('warn');
const db = await openDatabase({ dataDir: config.dataDir });
lap('openDatabase (PGlite)');
await migrateLatest(db.knex);
lap('migrateLatest');
const g = await createGatehouse({ config, logger, knex: db.knex, version: '0' });
lap('createGatehouse');
await g.close(); await db.close();
lap('closed');
