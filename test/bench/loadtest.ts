/**
 * Load test (issue 4, "Load"): `npm run loadtest [-- --duration 60 --connections 10 --rate 0]`.
 *
 * Starts the real server process (node dist/server/cli.js serve; run `npm run build` first) on
 * loopback, on a fresh database of the real PostgreSQL server, pins one stage in advisory mode,
 * and drives POST /v1/evaluate with autocannon, bounded in time (--duration) and in count
 * (--max-requests). Every answer's request_id is collected in onResponse; after a graceful
 * shutdown of the server (which flushes its audit writer and outbox), the audit table is
 * checked for every one of them. Prints requests/s, latency percentiles, errors and the
 * lost-row count, walks the audit hash chains (`gatehouse audit verify`), and exits 1 if a
 * target is missed (≥ --target evaluations/s, no errors, no lost row, an intact chain).
 *
 * Database: --database-url uses that database as it is; otherwise a database is created on
 * TEST_DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432/postgres) and
 * dropped afterwards (--keep-database keeps it).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { verifyAuditChain } from '../../server/audit/audit-verify.js';
import { MEMORY_DATA_DIR, openDatabase } from '../../server/db/database.js';
import { CLI, killServer, startServer as startServerProcess, stopServer } from '../helpers/server-process.js';

const ADMIN = `load-admin-${randomBytes(12).toString('hex')}`;
const EVALUATOR = `load-evaluator-${randomBytes(12).toString('hex')}`;
const STAGE = 'loadtest';

// A mix of what the gate sees: clean posts, a profane one (a FAIL, allowed under advisory), a thread.
const BODIES = [
  { content: 'We are launching the new garden planner today. Plan your beds in minutes and share them with friends.', stage: STAGE },
  { content: 'This fucking planner is the best thing we have built.', stage: STAGE },
  { content: ['1/3 A thread about soil health.', '2/3 Compost feeds the microbes that feed your plants.', '3/3 Share your tips below.'], stage: STAGE },
  { content: 'Some days this workout is killing me, but the results are worth it. #fitness', stage: STAGE, workflow_id: 'wf-load', agent: 'writer' },
].map((b) => JSON.stringify(b));

interface Options {
  duration: number;
  connections: number;
  rate: number;
  maxRequests: number;
  target: number;
  databaseUrl?: string;
  keepDatabase: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '60' },
      connections: { type: 'string', default: '10' },
      rate: { type: 'string', default: '0' },
      'max-requests': { type: 'string', default: '200000' },
      target: { type: 'string', default: '500' },
      'database-url': { type: 'string' },
      'keep-database': { type: 'boolean', default: false },
    },
  });
  const int = (name: string, value: string | undefined, min: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected a whole number ≥ ${min}, got ${value}`);
    return n;
  };
  return {
    duration: int('duration', values.duration, 1),
    connections: int('connections', values.connections, 1),
    rate: int('rate', values.rate, 0),
    maxRequests: int('max-requests', values['max-requests'], 1),
    target: int('target', values.target, 0),
    databaseUrl: values['database-url'] ?? process.env.LOADTEST_DATABASE_URL,
    keepDatabase: values['keep-database'] ?? false,
  };
}

const log = (line: string) => process.stderr.write(`[loadtest] ${line}\n`);

async function main(): Promise<number> {
  const opts = options();
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first.`);
  const database = opts.databaseUrl ? { url: opts.databaseUrl, drop: async () => undefined } : await createDatabase(opts.keepDatabase);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gh-loadtest-'));
  let server: Server | undefined;
  try {
    server = await startServer(database.url, dataDir);
    await pinAdvisory(server.url);
    log(`server ${server.url}, stage "${STAGE}" advisory; warming up for 2 s`);
    await run(server.url, { ...opts, duration: 2, maxRequests: opts.maxRequests }, new Map());

    const answers = new Map<string, boolean>();
    log(`running: ${opts.duration} s, ${opts.connections} connections, ${opts.rate ? `${opts.rate} req/s` : 'no rate limit'}, at most ${opts.maxRequests} requests`);
    const { result, perSecond } = await run(server.url, opts, answers);
    log('stopping the server gracefully (flushes the audit writer and the outbox)');
    const exitCode = await server.stop();
    server = undefined;
    const lost = await lostRows(database.url, [...answers.keys()]);
    const chain = await auditChain(database.url);
    return report(opts, result, perSecond, answers, lost, exitCode, chain);
  } finally {
    if (server) await server.kill();
    rmSync(dataDir, { recursive: true, force: true });
    await database.drop();
  }
}

interface RunResult {
  result: autocannon.Result;
  /** Responses in each whole second of the run. */
  perSecond: number[];
}

/** One autocannon run; records request_id → audit_ok of every decision answered. */
async function run(url: string, opts: Options, answers: Map<string, boolean>): Promise<RunResult> {
  let n = 0;
  const instance = autocannon({
    url: `${url}/v1/evaluate`,
    connections: opts.connections,
    duration: opts.duration,
    maxOverallRequests: Math.max(opts.maxRequests, opts.connections),
    ...(opts.rate > 0 ? { overallRate: opts.rate } : {}),
    timeout: 10,
    requests: [
      {
        method: 'POST',
        headers: { authorization: `Bearer ${EVALUATOR}`, 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: BODIES[n++ % BODIES.length] }),
        onResponse: (status, body) => {
          if (status !== 200) return;
          try {
            const parsed = JSON.parse(body) as { request_id?: string; audit_ok?: boolean };
            if (parsed.request_id) answers.set(parsed.request_id, parsed.audit_ok === true);
          } catch {
            // Counted by autocannon as a response; a non-JSON 200 would show up as a lost row below.
          }
        },
      },
    ],
  });
  const perSecond: number[] = [];
  instance.on('tick', ({ counter }) => perSecond.push(counter));
  // A hard stop in case the server hangs: the run is bounded in time whatever happens.
  const guard = setTimeout(() => instance.stop(), (opts.duration + 30) * 1000);
  try {
    return { result: await instance, perSecond };
  } finally {
    clearTimeout(guard);
  }
}

async function lostRows(url: string, ids: string[]): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    let found = 0;
    for (let i = 0; i < ids.length; i += 10_000) {
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM audit_events WHERE request_id = ANY($1)', [ids.slice(i, i + 10_000)]);
      found += Number(rows[0]!.n);
    }
    return ids.length - found;
  } finally {
    await client.end();
  }
}

/** `gatehouse audit verify` over what the load wrote: null when every chain is intact, else the first break. */
async function auditChain(url: string): Promise<string | null> {
  const db = await openDatabase({ databaseUrl: url, dataDir: MEMORY_DATA_DIR, poolMax: 2 });
  try {
    const verified = await verifyAuditChain(db.knex);
    if (verified.ok) return null;
    return [...verified.chains.flatMap((c) => (c.problem ? [`${c.chain}: ${c.problem.message}`] : [])), verified.unchained?.message ?? ''].filter(Boolean).join('; ');
  } finally {
    await db.close();
  }
}

function report(opts: Options, r: autocannon.Result, perSecond: number[], answers: Map<string, boolean>, lost: number, exitCode: number | string | null, chain: string | null): number {
  const deferred = [...answers.values()].filter((ok) => !ok).length;
  const non2xx = r.non2xx;
  const rps = r.requests.average;
  // The last tick can come after the run stopped, with a partial second in it.
  const whole = perSecond.slice(0, Math.floor(r.duration));
  const lines = [
    '',
    'gatehouse load test: POST /v1/evaluate, advisory, real PostgreSQL, server process on loopback',
    `  duration            ${r.duration.toFixed(1)} s, ${opts.connections} connections${opts.rate ? `, rate ${opts.rate}/s` : ''}`,
    `  requests            ${r.requests.total} sent, ${answers.size} decisions answered`,
    `  requests/s          avg ${rps.toFixed(1)}  min ${r.requests.min}  max ${r.requests.max}  (per-second samples; target ≥ ${opts.target})`,
    `  seconds below target ${whole.filter((n) => n < opts.target).length} of ${whole.length}`,
    `  latency (ms)        p50 ${r.latency.p50}  p90 ${r.latency.p90}  p97.5 ${r.latency.p97_5}  p99 ${r.latency.p99}  max ${r.latency.max}  avg ${r.latency.average.toFixed(2)}`,
    `  errors              ${r.errors} (timeouts ${r.timeouts}), non-2xx ${non2xx}`,
    `  audit_ok false      ${deferred} (answered without a committed row; kept in the outbox)`,
    `  lost rows           ${lost} (answered request ids missing from audit_events)`,
    `  audit hash chain    ${chain === null ? 'intact (gatehouse audit verify)' : `BROKEN: ${chain}`}`,
    `  server exit code    ${exitCode}`,
  ];
  const failures = [
    rps < opts.target && `throughput ${rps.toFixed(1)}/s is below ${opts.target}/s`,
    r.errors + r.timeouts > 0 && `${r.errors + r.timeouts} errors`,
    non2xx > 0 && `${non2xx} non-2xx answers`,
    lost > 0 && `${lost} lost rows`,
    chain !== null && 'the audit hash chain is broken',
    exitCode !== 0 && `the server exited with ${exitCode}`,
  ].filter((f): f is string => typeof f === 'string');
  lines.push(`  result              ${failures.length === 0 ? 'PASS' : `FAIL: ${failures.join('; ')}`}`, '');
  process.stdout.write(lines.join('\n'));
  return failures.length === 0 ? 0 : 1;
}

// ---- server process and database ------------------------------------------------------------------

interface Server {
  url: string;
  stop(): Promise<0 | string | null>;
  kill(): Promise<void>;
}

async function startServer(databaseUrl: string, dataDir: string): Promise<Server> {
  const server = await startServerProcess({
    DATABASE_URL: databaseUrl,
    GATEHOUSE_DATA_DIR: dataDir,
    GATEHOUSE_API_KEYS: `admin:${ADMIN},evaluator:${EVALUATOR}`,
    // One key drives the whole load: the per-key limit would turn it into 429s.
    GATEHOUSE_RATE_LIMIT_PER_MINUTE: '0',
    // The service's default, not the test helper's one thread.
    GATEHOUSE_ENGINE_THREADS: process.env.GATEHOUSE_ENGINE_THREADS ?? '2',
  });
  return {
    url: server.url,
    async stop() {
      let code: 0 | string;
      try {
        code = await stopServer(server, 20_000);
      } catch {
        server.child.kill('SIGKILL');
        return null;
      }
      if (code !== 0) log(`server output:\n${server.output()}`);
      return code;
    },
    async kill() {
      await killServer(server);
    },
  };
}

async function pinAdvisory(url: string): Promise<void> {
  const res = await fetch(`${url}/v1/stages/${STAGE}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ pack: 'qa', version: '2.0.0', mode: 'advisory' }),
  });
  if (res.status >= 300) throw new Error(`pinning the stage failed: ${res.status} ${await res.text()}`);
}

async function createDatabase(keep: boolean): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `gatehouse_load_${randomBytes(6).toString('hex')}`;
  await adminQuery(admin, `CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  log(`database ${name}${keep ? ' (kept afterwards)' : ''}`);
  return {
    url: url.toString(),
    drop: async () => {
      if (!keep) await adminQuery(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[loadtest] failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
