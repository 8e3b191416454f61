/**
 * Requests and responses born with the Express app's prototypes (server/http/express-born.ts):
 * through the real server around the composed app, on PostgreSQL, consecutive evaluations'
 * `req` and `res` end with one hidden class each. Without it every request had maps of its own
 * (Express's per-request setPrototypeOf), which made each read of them megamorphic.
 *
 * V8's own answer is asked: `%HaveSameMap` with natives syntax switched on in this worker.
 */
import http from 'node:http';
import v8 from 'node:v8';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gatehouse } from '../../../server/compose.js';
import { createConfig } from '../../../server/config.js';
import { createHttpServer } from '../../../server/http/connections.js';
import { bornOn } from '../../../server/http/express-born.js';
import { useDatabase } from '../../helpers/databases.js';
import { ADMIN_KEY, EVALUATOR_KEY, buildGatehouse, pin } from '../api/harness.js';
import { listenServer } from '../security/listen-server.js';
import { send, type Listening } from '../security/raw-http.js';

v8.setFlagsFromString('--allow-natives-syntax');
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- natives syntax only parses at run time
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- as above
const hasFastProperties = new Function('a', 'return %HasFastProperties(a)') as (a: object) => boolean;

const database = useDatabase('postgres');
let gh: Gatehouse;
let server: Listening;
const finished: [http.IncomingMessage, http.ServerResponse][] = [];

beforeAll(async () => {
  gh = await buildGatehouse(database().db);
  const httpServer = createHttpServer(gh.app, createConfig({}).http, pino({ level: 'silent' }));
  httpServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => res.once('finish', () => finished.push([req, res])));
  server = await listenServer(httpServer, 1);
  expect((await pin(gh.app, 'shapes', { mode: 'advisory' })).status).toBeLessThan(300);
});

afterAll(async () => {
  await server?.close();
  await gh?.close();
});

describe('requests born with the app prototypes', () => {
  it('gives consecutive evaluations one hidden class for req and one for res', async () => {
    const body = JSON.stringify({ stage: 'shapes', content: 'Earn $500 a day from home, guaranteed! #AI', platform: 'x', workflow_id: 'w', agent: 'a' });
    for (let i = 0; i < 24; i++) {
      const res = await send(server, {
        method: 'POST',
        path: '/v1/evaluate',
        headers: { Authorization: `Bearer ${EVALUATOR_KEY}`, 'Content-Type': 'application/json' },
        body,
      });
      expect(res.status).toBe(200);
    }
    await new Promise((resolve) => setImmediate(resolve));
    const pairs = finished.slice(-20);
    expect(pairs).toHaveLength(20);
    expect(Object.getPrototypeOf(pairs[0]![0])).toBe(gh.app.request);
    for (let i = 1; i < pairs.length; i++) {
      expect(haveSameMap(pairs[i - 1]![0], pairs[i]![0]), `req ${i}`).toBe(true);
      expect(haveSameMap(pairs[i - 1]![1], pairs[i]![1]), `res ${i}`).toBe(true);
    }
    // And that shape is a hidden class, not a dictionary: a response sized for no field of its own
    // went to dictionary mode at Node's symbol-keyed stores (one normalized map, shared or not).
    for (const [i, [req, res]] of pairs.entries()) {
      expect(hasFastProperties(req), `req ${i} fast`).toBe(true);
      expect(hasFastProperties(res), `res ${i} fast`).toBe(true);
    }
  });

  it('still answers the admin API through the same server', async () => {
    const res = await send(server, { method: 'GET', path: '/v1/stages', headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
    expect(res.status).toBe(200);
  });
});

describe('bornOn', () => {
  it('runs the base constructor on an object that already has the prototype', () => {
    function Base(this: { x: number }, x: number) {
      this.x = x;
    }
    const prototype = Object.create(Base.prototype as object) as object;
    const Born = bornOn(Base as never, prototype)!;
    const made = new Born(7 as never) as { x: number };
    expect(Object.getPrototypeOf(made)).toBe(prototype);
    expect(made.x).toBe(7);
  });

  it('declines an ES class, which cannot run on an existing object', () => {
    class Base {}
    expect(bornOn(Base, Object.create(Base.prototype as object) as object)).toBeUndefined();
  });
});
