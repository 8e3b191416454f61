/**
 * A real gatehouse listening on a real port (so the client's fetch goes
 * over HTTP), and small helpers to listen with any request handler.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatehouseClient } from '../../client/index.js';
import type { Database } from '../../server/db/database.js';
import type { Gatehouse } from '../../server/compose.js';
import { ADMIN_KEY, EVALUATOR_KEY, buildGatehouse, type BuildOptions } from '../server/api/harness.js';

export interface Listening {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 with an ephemeral port. */
export async function listen(handler: RequestListener): Promise<Listening> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A mutable clock for receipts: `clock.shiftMs` moves the server's time. */
export interface TestClock {
  shiftMs: number;
  now(): Date;
}

export function testClock(): TestClock {
  const clock: TestClock = { shiftMs: 0, now: () => new Date(Date.now() + clock.shiftMs) };
  return clock;
}

export interface LiveGatehouse {
  gh: Gatehouse;
  url: string;
  clock: TestClock;
  /** Evaluator key. */
  client: GatehouseClient;
  /** Admin key. */
  admin: GatehouseClient;
  close(): Promise<void>;
}

/** The real app on the test database, listening; stages `t-off`, `t-advisory`, `t-enforced` pinned to qa@2.0.0. */
export async function startGatehouse(db: Database, options: BuildOptions = {}): Promise<LiveGatehouse> {
  const clock = testClock();
  // Content stored: these tests compare what the client relays (GET /v1/decisions, the gate's
  // QA_BLOCKED details) with the answer, which the audit keeps whole only with content on.
  const gh = await buildGatehouse(db, { now: clock.now, ...options, env: { GATEHOUSE_AUDIT_STORE_CONTENT: '1', ...options.env } });
  const http = await listen(gh.app);
  const client = new GatehouseClient({ baseUrl: http.url, apiKey: EVALUATOR_KEY });
  const admin = new GatehouseClient({ baseUrl: http.url, apiKey: ADMIN_KEY });
  for (const mode of ['off', 'advisory', 'enforced'] as const) await admin.pinStage(`t-${mode}`, { pack: 'qa', version: '2.0.0', mode });
  return {
    gh,
    url: http.url,
    clock,
    client,
    admin,
    async close() {
      await http.close();
      await gh.close();
    },
  };
}
