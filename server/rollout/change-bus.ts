/**
 * How one instance tells every other instance that the rollout state (pins, kill switch) has
 * changed. On PostgreSQL: NOTIFY through the knex pool, LISTEN on one dedicated `pg` client
 * that reconnects on its own. In one process (PGlite, or tests): an in-process emitter shared
 * by every instance built on the same knex. Either way a notification only says "re-read";
 * the state itself is always read from the database, so a lost or duplicated notification
 * costs at most one poll interval, never a wrong state (see docs/decisions/0005-rollout-propagation.md).
 */
import { EventEmitter } from 'node:events';
import type { Knex } from 'knex';
import pg from 'pg';
import type { Logger } from 'pino';
import { deadline } from '../lib/deadline.js';
import { redactDatabaseUrls } from '../lib/redact.js';

export const CHANNEL = 'gatehouse_rollout';

export type ChangeKind = 'pins' | 'kill_switch';

export interface Change {
  /** `resync`: the listener reconnected and may have missed notifications. */
  kind: ChangeKind | 'resync';
  /** Instance that announced it (absent for resync). */
  origin?: string;
}

export interface BusStatus {
  transport: 'postgres' | 'in-process';
  /** false while the LISTEN connection is down (the poll still runs). */
  listening: boolean;
  reconnects: number;
  last_error?: string;
}

export interface ChangeBus {
  start(): Promise<void>;
  /** Tells every instance, this one included, that `kind` changed. */
  announce(kind: ChangeKind): Promise<void>;
  subscribe(listener: (change: Change) => void): () => void;
  /** Cheap liveness check of the LISTEN connection; a dead one is replaced. */
  check(): Promise<void>;
  status(): BusStatus;
  close(): Promise<void>;
}

// Instances built on one knex in one process share an emitter, as instances on one PostgreSQL
// share a channel.
const localBuses = new WeakMap<Knex, EventEmitter>();

export function createInProcessBus(knex: Knex, origin: string): ChangeBus {
  let emitter = localBuses.get(knex);
  if (!emitter) {
    emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    localBuses.set(knex, emitter);
  }
  const shared = emitter;
  const mine = new Set<(change: Change) => void>();
  return {
    async start() {},
    async announce(kind) {
      // Asynchronous like a real notification: listeners never run inside the announcer's call.
      setImmediate(() => shared.emit('change', { kind, origin } satisfies Change));
    },
    subscribe(listener) {
      mine.add(listener);
      shared.on('change', listener);
      return () => {
        mine.delete(listener);
        shared.off('change', listener);
      };
    },
    async check() {},
    status: () => ({ transport: 'in-process', listening: true, reconnects: 0 }),
    async close() {
      for (const listener of mine) shared.off('change', listener);
      mine.clear();
    },
  };
}

export interface PostgresBusOptions {
  /** Connection string of the shared database. */
  url: string;
  /** The pool NOTIFY goes through. */
  knex: Knex;
  origin: string;
  logger: Logger;
  /** First reconnect delay; doubles up to maxBackoffMs. @defaultValue 100 */
  minBackoffMs?: number;
  /** @defaultValue 5,000 */
  maxBackoffMs?: number;
}

export function createPostgresBus(opts: PostgresBusOptions): ChangeBus {
  const { knex, origin, logger } = opts;
  const minBackoff = opts.minBackoffMs ?? 100;
  const maxBackoff = opts.maxBackoffMs ?? 5_000;
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  let client: pg.Client | undefined;
  let listening = false;
  let reconnects = 0;
  let lastError: string | undefined;
  let backoff = minBackoff;
  let timer: NodeJS.Timeout | undefined;
  let connecting: Promise<void> | undefined;
  let closed = false;

  function onNotification(msg: pg.Notification): void {
    if (msg.channel !== CHANNEL) return;
    let change: Change = { kind: 'pins' };
    try {
      const parsed = JSON.parse(msg.payload ?? '{}') as Partial<Change>;
      if (parsed.kind === 'pins' || parsed.kind === 'kill_switch') change = { kind: parsed.kind, origin: parsed.origin };
    } catch {
      // An unreadable payload still means "something changed": re-read everything.
    }
    emitter.emit('change', change);
  }

  function dropped(c: pg.Client, error?: Error): void {
    if (c !== client) return;
    client = undefined;
    listening = false;
    if (error) lastError = redactDatabaseUrls(error.message);
    // The old client may still emit errors while it dies: never let one crash the process.
    c.removeAllListeners('notification');
    c.on('error', () => undefined);
    c.end().catch(() => undefined);
    if (closed) return;
    logger.warn({ err: lastError, retry_ms: backoff }, 'rollout LISTEN connection lost; reconnecting');
    schedule();
  }

  function schedule(): void {
    if (closed || timer) return;
    const delay = backoff;
    backoff = Math.min(backoff * 2, maxBackoff);
    timer = setTimeout(() => {
      timer = undefined;
      void connect(true);
    }, delay);
    timer.unref();
  }

  function connect(isReconnect: boolean): Promise<void> {
    return (connecting ??= (async () => {
      const c = new pg.Client({
        connectionString: opts.url,
        // Lets an operator (and the two-instance test) find the listener in pg_stat_activity.
        application_name: `gatehouse-listen ${origin}`.slice(0, 63),
        keepAlive: true,
        connectionTimeoutMillis: 5_000,
      });
      c.on('error', (error) => dropped(c, error));
      c.on('end', () => dropped(c));
      c.on('notification', onNotification);
      client = c;
      try {
        await c.connect();
        await c.query(`LISTEN ${CHANNEL}`);
        if (closed) {
          await c.end().catch(() => undefined);
          return;
        }
        listening = true;
        backoff = minBackoff;
        if (isReconnect) {
          reconnects++;
          logger.info({ reconnects }, 'rollout LISTEN connection restored');
          // Whatever was announced while the connection was down is lost: re-read everything.
          emitter.emit('change', { kind: 'resync' } satisfies Change);
        }
      } catch (error) {
        dropped(c, error as Error);
      }
    })().finally(() => {
      connecting = undefined;
    }));
  }

  return {
    async start() {
      await connect(false);
    },

    async announce(kind) {
      await knex.raw('SELECT pg_notify(?, ?)', [CHANNEL, JSON.stringify({ kind, origin } satisfies Change)]);
    },

    subscribe(listener) {
      emitter.on('change', listener);
      return () => emitter.off('change', listener);
    },

    async check() {
      const c = client;
      if (!c || !listening) return;
      // A half-open TCP connection delivers nothing and reports nothing: ask it something.
      try {
        await deadline(c.query('SELECT 1'), 2_000, () => new Error('LISTEN connection did not answer within 2 s'));
      } catch (error) {
        dropped(c, error as Error);
      }
    },

    status: () => ({ transport: 'postgres', listening, reconnects, ...(lastError ? { last_error: lastError } : {}) }),

    async close() {
      closed = true;
      clearTimeout(timer);
      emitter.removeAllListeners();
      await connecting?.catch(() => undefined);
      const c = client;
      client = undefined;
      listening = false;
      if (c) {
        c.removeAllListeners('end');
        await c.end().catch(() => undefined);
      }
    },
  };
}
