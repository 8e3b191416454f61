/**
 * The server process: config → logger → database → migrations → the wiring of
 * server/compose.ts → listen, and a graceful shutdown (stop accepting, finish
 * in-flight requests, flush the audit sink, close the database).
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConfig } from './config.js';
import { migrateLatest, openDatabase } from './db/database.js';
import { describeTarget } from './db/database-command.js';
import { describeLockHolder } from './db/data-dir-lock.js';
import { createGatehouse } from './compose.js';
import { createLogger, logDestination } from './logger.js';
import { createHttpServer } from './http/connections.js';
import { runPrimary, workersWanted } from './cluster.js';

export interface ServeOptions {
  /** Exit the process on SIGTERM/SIGINT after a graceful shutdown. @defaultValue true */
  handleSignals?: boolean;
  /** Where the generated admin key is printed once. @defaultValue stdout */
  print?: (line: string) => void;
}

export interface Served {
  url: string;
  close(): Promise<void>;
}

const SHUTDOWN_LIMIT_MS = 10_000;

export async function serve(env: NodeJS.ProcessEnv = process.env, options: ServeOptions = {}): Promise<Served> {
  // GATEHOUSE_WORKERS=N: this process only forks N full instances behind its port (server/cluster.ts).
  const workers = workersWanted(env);
  if (workers > 1 && cluster.isPrimary) return runPrimary(env, workers);
  const config = createConfig(env);
  // Written into the data dir's and the outbox's lock files: a second instance is told who holds them.
  describeLockHolder(`gatehouse serve, port ${config.port}, ${describeTarget(config)}`);
  const logger = createLogger(config.logLevel, logDestination(config.logBufferBytes));
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  let gatehouse: Awaited<ReturnType<typeof createGatehouse>>;
  try {
    const applied = await migrateLatest(db.knex);
    if (applied.length > 0) logger.info({ migrations: applied }, `applied ${applied.length} migrations`);
    gatehouse = await createGatehouse({ config, logger, knex: db.knex, version: packageVersion() });
  } catch (error) {
    await db.close();
    throw error;
  }
  if (gatehouse.generatedAdminKey) {
    // The lines logged so far first (they wait in the log's buffer: logDestination).
    logger.flush();
    const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
    print(
      `No API keys were configured: generated an admin key. It is shown once and stored only as a hash:\n\n  ${gatehouse.generatedAdminKey}\n\n` +
        `Sign in to the dashboard with it at http://localhost:${config.port}/dashboard\n` +
        'It is never printed again. Once GATEHOUSE_API_KEYS is set it is no longer accepted; `gatehouse api-keys revoke` retires it sooner.\n',
    );
  }

  const server = createHttpServer(gatehouse.app, config.http, logger);
  server.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  }).catch(async (error: unknown) => {
    await gatehouse.close();
    await db.close();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  // The address actually bound (0.0.0.0 is every interface), and a URL to reach it from here.
  const bound = server.address() as AddressInfo;
  const listening = `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${port}`;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host}:${port}`;
  logger.info(
    { address: listening, url, database: db.kind, outbox: config.auditSink.outboxDir, rules: config.rulesDir, packs: gatehouse.packs.report() },
    listening === url ? `gatehouse listening on ${listening}` : `gatehouse listening on ${listening} (from this host: ${url})`,
  );
  // Shown at once, not when the log's buffer fills or a second has passed.
  logger.flush();
  if (cluster.isWorker) process.send?.({ type: 'gatehouse-listening', url });
  // In the background: short posts are served inline meanwhile, long ones wait for the workers.
  if (config.engine.warmAtStart && config.engine.threads > 0) {
    gatehouse.warmEngine().catch((error: unknown) => logger.error({ err: error }, 'engine workers did not start'));
  }

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // Event streams never finish by themselves: end them, or server.close() waits for the force-exit timer.
      gatehouse.dashboard.streams.closeAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gatehouse.close();
      await db.close();
      logger.info('gatehouse stopped');
    })());

  if (options.handleSignals ?? true) {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      // Stay subscribed: with no listener left, a second SIGTERM during the graceful shutdown
      // would kill the process by signal, mid-flush of the audit outbox.
      if (signalled) {
        logger.warn({ signal }, 'already shutting down');
        return;
      }
      signalled = true;
      logger.info({ signal }, 'shutting down');
      const force = setTimeout(() => {
        logger.error('shutdown took too long; exiting');
        process.exit(1);
      }, SHUTDOWN_LIMIT_MS);
      force.unref();
      close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  return { url, close };
}

/** The version in package.json, found from this file in server/ or dist/server/. */
function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = path.dirname(dir)) {
    try {
      return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // Not here: try the parent.
    }
  }
  return '0.0.0';
}
