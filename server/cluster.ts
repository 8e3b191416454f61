/**
 * GATEHOUSE_WORKERS=N (issue 14, "use the cores"): N full gatehouse processes behind one
 * port through node:cluster, as a horizontally scaled fleet on one PostgreSQL would run.
 * Each worker is a whole instance — its own packs, engine, audit writer, receipts signer —
 * and its own outbox folder (`<outbox>/worker-<i>`), so a worker's undelivered audit rows are
 * replayed by that worker (or by any instance later pointed at the folder).
 *
 * The primary only forks, restarts a worker that dies, and forwards shutdown. Worker 1 starts
 * first and the others once it listens: migrations and the first-start admin key happen once.
 * PGlite is one process's database (a data-dir lock), so N > 1 needs DATABASE_URL.
 */
import cluster, { type Worker } from 'node:cluster';
import path from 'node:path';
import { ConfigError, createConfig } from './config.js';
import { createLogger, logDestination } from './logger.js';

export const WORKERS_ENV = 'GATEHOUSE_WORKERS';
const MAX_WORKERS = 64;

/** How many processes GATEHOUSE_WORKERS asks for (1 when unset); a bad value is a ConfigError. */
export function workersWanted(env: NodeJS.ProcessEnv): number {
  const raw = env[WORKERS_ENV];
  if (raw === undefined || raw.trim() === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) {
    throw new ConfigError([`${WORKERS_ENV} must be an integer from 1 to ${MAX_WORKERS} (processes behind one port); got "${raw}"`]);
  }
  if (n > 1 && !env.DATABASE_URL) {
    throw new ConfigError([`${WORKERS_ENV}=${n} needs DATABASE_URL (PostgreSQL): PGlite is a single process database`]);
  }
  return n;
}

/** The message a worker sends the primary once it listens. */
export interface ListeningMessage {
  type: 'gatehouse-listening';
  url: string;
}

export function isListeningMessage(message: unknown): message is ListeningMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'gatehouse-listening';
}

/** Runs the primary: forks `count` workers and resolves with the shared URL once all listen. */
export async function runPrimary(env: NodeJS.ProcessEnv, count: number): Promise<{ url: string; close(): Promise<void> }> {
  const config = createConfig(env);
  const logger = createLogger(config.logLevel, logDestination(config.logBufferBytes));
  const outboxBase = config.auditSink.outboxDir;
  const workers = new Map<number, Worker>();
  let stopping = false;

  const fork = (index: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork({
        ...env,
        GATEHOUSE_WORKER_INDEX: String(index),
        GATEHOUSE_OUTBOX_DIR: path.join(outboxBase, `worker-${index}`),
      });
      workers.set(index, worker);
      let listening = false;
      worker.on('message', (message: unknown) => {
        if (!isListeningMessage(message)) return;
        listening = true;
        resolve(message.url);
      });
      worker.once('exit', (code, signal) => {
        workers.delete(index);
        if (!listening) {
          reject(new Error(`gatehouse worker ${index} exited before listening (code ${code}, signal ${signal})`));
          return;
        }
        if (stopping) return;
        logger.error({ worker: index, code, signal }, 'gatehouse worker died; starting a replacement');
        fork(index).catch((error: unknown) => logger.error({ err: error, worker: index }, 'replacement worker did not start'));
      });
    });

  const stop = async (): Promise<void> => {
    stopping = true;
    await Promise.all(
      [...workers.values()].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            worker.once('exit', () => resolve());
            worker.process.kill('SIGTERM');
          }),
      ),
    );
  };

  let url: string;
  try {
    url = await fork(1);
    await Promise.all(Array.from({ length: count - 1 }, (_, i) => fork(i + 2)));
  } catch (error) {
    await stop();
    throw error;
  }
  logger.info({ url, workers: count, outbox: path.join(outboxBase, 'worker-<i>') }, `gatehouse primary: ${count} workers listening on ${url}`);
  logger.flush();

  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping workers');
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return { url, close: stop };
}
