/**
 * `npm run bench:http`: POST /v1/evaluate over real HTTP, in one run, against
 *
 *   1. the real gatehouse server process (`node dist/server/cli.js serve`), advisory mode,
 *      audit on the real PostgreSQL at 127.0.0.1:5432 (a fresh database, dropped at the end);
 *   2. the same process on embedded PGlite (a temporary data dir), then started a second
 *      time on the same dir to time a warm start;
 *   3. a bare Express 5 server (test/bench/bare-express.ts, one process): express.json on
 *      the same body, a constant decision-shaped answer.
 *
 * Each is driven by autocannon (programmatic) over loopback with the same body and
 * Authorization header: a short warm-up, then the measured run. Prints req/s, latency
 * percentiles, errors/non-2xx and the ratio to bare Express; then checks that every
 * request answered on the PostgreSQL run is in its audit table.
 *
 * Needs `npm run build` (dist/) and PostgreSQL at 127.0.0.1:5432 (user postgres, no password).
 *
 * Options (environment):
 *   BENCH_DURATION=10        seconds per measured run          BENCH_CONNECTIONS=50
 *   BENCH_WARMUP=3           seconds of warm-up per server     BENCH_ONLY=postgres,pglite,bare
 *   BENCH_PG_ADMIN_URL=postgres://postgres@127.0.0.1:5432/postgres
 *   BENCH_LOG_LEVEL=info     the servers' log level (their logs go to a file, printed on failure)
 *   BENCH_CPU_PROF=DIR       run gatehouse with `node --cpu-prof --cpu-prof-dir=DIR`
 *                            (summarise: npx tsx test/bench/cpuprofile-top.ts DIR/*.cpuprofile)
 *   BENCH_GATEHOUSE_CLI=dist/server/cli.js   the gatehouse build to run (e.g. a copy of dist/ with a change)
 *   BENCH_NODE_ARGS="--max-semi-space-size=32"   extra node flags for the gatehouse processes
 *   BENCH_WORKERS=1,2        GATEHOUSE_WORKERS values for the PostgreSQL runs (one run each; CPU is
 *                            summed over the server's whole process tree)
 *
 * After each gatehouse saturation run, a second load at half its own req/s (autocannon's
 * overallRate) measures the latency at a fixed offered rate (issue 14: p99 < 10 ms there).
 *   GATEHOUSE_AUDIT_TICK_MS, GATEHOUSE_AUDIT_MAX_BATCH, …: passed through to gatehouse.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { int, ms, ratio, table } from './lib/format.js';
import { METADATA, oneFindingPost } from './lib/inputs.js';
import { freePort } from '../helpers/server-process.js';

// ---------------------------------------------------------------------------
// Settings

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.resolve(ROOT, process.env.BENCH_GATEHOUSE_CLI ?? 'dist/server/cli.js');
const BARE = path.join(ROOT, 'test/bench/bare-express.ts');
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'postgres,pglite,bare').split(',').map((s) => s.trim()));
const PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';
const CPU_PROF = process.env.BENCH_CPU_PROF;
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const WORKERS = (process.env.BENCH_WORKERS ?? '1').split(',').map((s) => Number(s.trim())).filter((n) => n >= 1);
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const EVALUATOR_KEY = 'bench-evaluator-key-0123456789abcdef';
const STAGE = 'bench';

/** A realistic post: 280 characters, one violation (a get-rich-quick promise), the #AI tag present. */
const POST = oneFindingPost(280);
const BODY = JSON.stringify({ stage: STAGE, content: POST, platform: 'x', metadata: METADATA, workflow_id: 'bench-workflow', agent: 'bench-agent' });
const HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${EVALUATOR_KEY}` };

// ---------------------------------------------------------------------------
// autocannon has no types of its own: the part used here.

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
  totalCompletedRequests: number;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  method: string;
  headers: Record<string, string>;
  body: string;
  requests: { method: string; path: string; onResponse?: (status: number, body: string) => void }[];
}
const autocannon = createRequire(import.meta.url)('autocannon') as (
  opts: AutocannonOptions,
  cb: (err: Error | null, result: AutocannonResult) => void,
) => NodeJS.EventEmitter;

// ---------------------------------------------------------------------------
// Child processes: every one is killed when this process ends, however it ends.

interface Running {
  name: string;
  child: ChildProcess;
  url: string;
  logFile: string;
  exit: Promise<number | null>;
  startedAt: number;
}

const children = new Set<ChildProcess>();
const cleanups: (() => Promise<void>)[] = [];

function killAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the servers`);
    killAll();
    void runCleanups().finally(() => process.exit(130));
  });
}

async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()!();
    } catch (error) {
      console.error('cleanup failed:', error);
    }
  }
}

const workDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-bench-'));
cleanups.push(async () => rmSync(workDir, { recursive: true, force: true }));

async function startProcess(name: string, args: string[], env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const logFile = path.join(workDir, `${name.replace(/\W+/g, '-')}-${Date.now()}.log`);
  // The log file is the child's own stdout and stderr: its writes never wait for this process,
  // which is busy driving the load.
  const log = openSync(logFile, 'a');
  // DATABASE_URL of this shell must not leak into the PGlite run.
  const { DATABASE_URL: _ignored, ...parentEnv } = process.env;
  const startedAt = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...parentEnv, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', GATEHOUSE_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  children.add(child);
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  const running: Running = { name, child, url: `http://127.0.0.1:${port}`, logFile, exit, startedAt };
  return running;
}

/** Milliseconds from spawn to the first 200 on /readyz (polled every 20 ms). */
async function waitReady(r: Running, limitMs = 90_000): Promise<number> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (r.child.exitCode !== null) throw new Error(`${r.name} exited with ${r.child.exitCode}:\n${tail(r.logFile)}`);
    try {
      const res = await fetch(`${r.url}/readyz`);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - r.startedAt;
    } catch {
      // not listening yet
    }
    await sleep(20);
  }
  throw new Error(`${r.name} not ready within ${limitMs / 1000} s:\n${tail(r.logFile)}`);
}

async function stopProcess(r: Running): Promise<number | null> {
  if (r.child.exitCode !== null) return r.child.exitCode;
  r.child.kill('SIGTERM');
  const timer = setTimeout(() => r.child.kill('SIGKILL'), 20_000);
  try {
    return await r.exit;
  } finally {
    clearTimeout(timer);
  }
}

/** CPU time (user + system) a running child and its live descendants (cluster workers) have used so far (Linux), in ms; NaN elsewhere. */
function cpuMs(r: Running): number {
  try {
    // Fields after the command name (which may hold spaces): state is field 3, ppid 4, utime 14, stime 15.
    const stats = new Map<number, { ppid: number; ms: number }>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        stats.set(Number(entry), { ppid: Number(fields[1]), ms: ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS });
      } catch {
        // The process ended meanwhile.
      }
    }
    const root = r.child.pid!;
    if (!stats.has(root)) return NaN;
    let total = 0;
    for (const [pid, { ms }] of stats) {
      let p: number | undefined = pid;
      while (p !== undefined && p !== root && p > 1) p = stats.get(p)?.ppid;
      if (p === root) total += ms;
    }
    return total;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** Peak resident memory of a running child (Linux), in MiB. */
function peakRssMiB(r: Running): number {
  try {
    const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${r.child.pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (msec: number) => new Promise((resolve) => setTimeout(resolve, msec));

// ---------------------------------------------------------------------------
// Gatehouse

function gatehouseArgs(): string[] {
  return [...NODE_ARGS, ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : []), CLI, 'serve'];
}

function gatehouseEnv(dataDir: string, databaseUrl?: string): Record<string, string> {
  return {
    GATEHOUSE_DATA_DIR: dataDir,
    GATEHOUSE_RULES_DIR: path.join(ROOT, 'rules'),
    GATEHOUSE_API_KEYS: `admin:${ADMIN_KEY},evaluator:${EVALUATOR_KEY}`,
    // The per-key limit (60,000/min by default) would answer 429s under load: raised, not removed,
    // so the limiter's own cost stays in the measurement.
    GATEHOUSE_RATE_LIMIT_PER_MINUTE: '100000000',
    GATEHOUSE_LOG_LEVEL: LOG_LEVEL,
    // The bench's post is evaluated inline; warming the engine's worker threads compiles every
    // pack again per thread in the background, which would land in the measured CPU per request.
    GATEHOUSE_ENGINE_WARM: '0',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
}

async function api(r: Running, method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${r.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, body: parsed };
}

/** Pins the bench stage to the default pack in advisory mode, and checks one evaluation end to end. */
async function pinAdvisory(r: Running): Promise<void> {
  const packs = await api(r, 'GET', '/v1/packs');
  const qa = (packs.body.items as { pack: string; version: string }[] | undefined)?.find((p) => p.pack === 'qa');
  if (!qa) throw new Error(`no qa pack served: ${JSON.stringify(packs.body)}`);
  const pin = await api(r, 'PUT', `/v1/stages/${STAGE}`, { pack: qa.pack, version: qa.version, mode: 'advisory' });
  if (pin.status !== 200 && pin.status !== 201) throw new Error(`pinning ${STAGE} failed: ${pin.status} ${JSON.stringify(pin.body)}`);
  const res = await fetch(`${r.url}/v1/evaluate`, { method: 'POST', headers: HEADERS, body: BODY });
  const answer = (await res.json()) as Record<string, any>;
  if (res.status !== 200 || answer.mode !== 'advisory' || answer.audit_ok !== true || answer.allowed !== true) {
    throw new Error(`unexpected first answer: ${res.status} ${JSON.stringify(answer)}`);
  }
  const codes = [...new Set([...(answer.violations ?? []), ...(answer.warnings ?? [])].map((f: { code: string }) => f.code))];
  if (codes.length !== 1) throw new Error(`the bench post should have exactly one finding, got ${codes.join(', ') || 'none'}`);
}

// ---------------------------------------------------------------------------
// Load

interface LoadResult {
  name: string;
  rps: number;
  total: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  auditNotOk: number;
  requestIds: string[];
  /** request_ids answered audit_ok false: their rows went to the outbox, to be replayed. */
  deferredIds: string[];
  peakRssMiB: number;
  /** CPU time of the server process per answered request, in µs: robust to other load on the machine. */
  cpuUsPerRequest: number;
  /** At half of `rps` offered (gatehouse only): achieved req/s and latency percentiles. */
  half?: { rps: number; p50: number; p99: number; errors: number };
}

const REQUEST_ID = /"request_id":"([^"]+)"/;

function load(url: string, seconds: number, overallRate?: number): Promise<{ result: AutocannonResult; latencies: Float64Array; count: number; ids: string[]; deferred: string[]; auditNotOk: number }> {
  return new Promise((resolve, reject) => {
    let latencies = new Float64Array(1 << 18);
    let count = 0;
    const ids: string[] = [];
    const deferred: string[] = [];
    let auditNotOk = 0;
    const instance = autocannon(
      {
        url,
        connections: CONNECTIONS,
        duration: seconds,
        ...(overallRate ? { overallRate } : {}),
        method: 'POST',
        headers: HEADERS,
        body: BODY,
        requests: [
          {
            method: 'POST',
            path: '/v1/evaluate',
            // Every server's answer is read the same way: its request_id, and whether it says audit_ok.
            onResponse: (status, body) => {
              if (status !== 200) return;
              const id = REQUEST_ID.exec(body)?.[1];
              if (id) ids.push(id);
              if (!body.includes('"audit_ok":true')) {
                auditNotOk++;
                if (id) deferred.push(id);
              }
            },
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve({ result, latencies: latencies.subarray(0, count), count, ids, deferred, auditNotOk })),
    );
    // autocannon's own percentiles are whole milliseconds: keep every latency for finer ones.
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      if (count === latencies.length) {
        const bigger = new Float64Array(latencies.length * 2);
        bigger.set(latencies);
        latencies = bigger;
      }
      latencies[count++] = responseTime;
    });
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function drive(name: string, r: Running): Promise<LoadResult> {
  process.stdout.write(`  ${name}: warm-up ${WARMUP} s, `);
  const warm = WARMUP > 0 ? await load(r.url, WARMUP) : undefined;
  process.stdout.write(`measure ${DURATION} s … `);
  const cpuBefore = cpuMs(r);
  const { result, latencies, ids, deferred, auditNotOk } = await load(r.url, DURATION);
  const cpuAfter = cpuMs(r);
  const sorted = latencies.slice().sort();
  const out: LoadResult = {
    name,
    rps: result.requests.average,
    total: result.requests.total,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    auditNotOk,
    // The warm-up's answers count too: every answered request must be audited.
    requestIds: [...(warm?.ids ?? []), ...ids],
    deferredIds: [...(warm?.deferred ?? []), ...deferred],
    peakRssMiB: peakRssMiB(r),
    cpuUsPerRequest: ((cpuAfter - cpuBefore) * 1000) / result.requests.total,
  };
  console.log(`${int(out.rps)} req/s`);
  return out;
}

/** Latency at a fixed offered rate: half of what the server reached at saturation. */
async function driveHalf(r: Running, result: LoadResult): Promise<void> {
  const rate = Math.max(1, Math.floor(result.rps / 2));
  process.stdout.write(`  ${result.name}: at ${int(rate)} req/s offered, ${DURATION} s … `);
  const half = await load(r.url, DURATION, rate);
  const sorted = half.latencies.slice().sort();
  result.half = { rps: half.result.requests.average, p50: percentile(sorted, 50), p99: percentile(sorted, 99), errors: half.result.errors + half.result.non2xx };
  result.requestIds.push(...half.ids);
  result.deferredIds.push(...half.deferred);
  console.log(`p99 ${ms(result.half.p99)} ms`);
}

// ---------------------------------------------------------------------------
// The runs

interface StartTimes {
  postgres?: number;
  pgliteFirst?: number;
  pgliteSecond?: number;
}

async function createBenchDatabase(): Promise<{ url: string; name: string }> {
  const name = `gatehouse_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  cleanups.push(async () => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await c.end();
    }
  });
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), name };
}

/**
 * How many of `ids` are missing from audit_events, and how many INSERT statements wrote the
 * rows found: each group commit is its own transaction, so its rows share one xmin.
 */
async function auditCheck(databaseUrl: string, ids: string[]): Promise<{ missing: number; inserts: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string; inserts: string }>(
      'SELECT count(*) AS n, count(DISTINCT xmin::text) AS inserts FROM audit_events WHERE request_id = ANY($1::text[])',
      [ids],
    );
    return { missing: ids.length - Number(rows[0]!.n), inserts: Number(rows[0]!.inserts) };
  } finally {
    await client.end();
  }
}

interface AuditReport {
  answered: number;
  /** Rows absent right after the load; must be 0 among answers that said audit_ok true. */
  missingAtOnce: number;
  missingCommitted: number;
  /** Rows still absent after waiting for the outbox replays of deferred rows. */
  missing: number;
  waitedS: number;
  inserts: number;
  duplicates: number;
}

async function runPostgres(starts: StartTimes, workers = 1): Promise<{ load: LoadResult; audit: AuditReport }> {
  const db = await createBenchDatabase();
  console.log(`gatehouse, advisory, audit on PostgreSQL (database ${db.name}), ${workers} process${workers > 1 ? 'es' : ''}`);
  const env = { ...gatehouseEnv(mkdtempSync(path.join(workDir, 'pg-data-')), db.url), ...(workers > 1 ? { GATEHOUSE_WORKERS: String(workers) } : {}) };
  const r = await startProcess('gatehouse-postgres', gatehouseArgs(), env);
  try {
    starts.postgres = await waitReady(r);
    await pinAdvisory(r);
    const result = await drive(pgName(workers), r);
    await driveHalf(r, result);
    // Checked while the server still runs: an answer with audit_ok true says its row is committed already.
    const unique = [...new Set(result.requestIds)];
    const deferred = new Set(result.deferredIds);
    let check = await auditCheck(db.url, unique);
    const missingAtOnce = check.missing;
    const missingCommitted = deferred.size === 0 ? missingAtOnce : (await auditCheck(db.url, unique.filter((id) => !deferred.has(id)))).missing;
    // Rows answered audit_ok false are in the outbox and come back through its replays: give them time.
    let waitedS = 0;
    while (check.missing > 0 && deferred.size > 0 && waitedS < 30) {
      await sleep(1_000);
      waitedS++;
      check = await auditCheck(db.url, unique);
    }
    const audit = {
      answered: unique.length,
      missingAtOnce,
      missingCommitted,
      missing: check.missing,
      waitedS,
      inserts: check.inserts,
      duplicates: result.requestIds.length - unique.length,
    };
    return { load: result, audit };
  } finally {
    const code = await stopProcess(r);
    if (code !== 0) console.error(`gatehouse (PostgreSQL) exited with ${code}:\n${tail(r.logFile)}`);
  }
}

async function runPglite(starts: StartTimes): Promise<LoadResult> {
  const dataDir = mkdtempSync(path.join(workDir, 'pglite-data-'));
  console.log(`gatehouse, advisory, audit on embedded PGlite (${dataDir})`);
  let result: LoadResult;
  const first = await startProcess('gatehouse-pglite', gatehouseArgs(), gatehouseEnv(dataDir));
  try {
    starts.pgliteFirst = await waitReady(first);
    await pinAdvisory(first);
    result = await drive('gatehouse + PGlite', first);
  } finally {
    const code = await stopProcess(first);
    if (code !== 0) console.error(`gatehouse (PGlite) exited with ${code}:\n${tail(first.logFile)}`);
  }
  // The second start on the same data dir, as after any restart: the start-up target.
  const second = await startProcess('gatehouse-pglite-restart', gatehouseArgs(), gatehouseEnv(dataDir));
  try {
    starts.pgliteSecond = await waitReady(second);
  } finally {
    await stopProcess(second);
  }
  return result;
}

async function runBare(): Promise<LoadResult> {
  console.log('bare Express 5 (test/bench/bare-express.ts)');
  const r = await startProcess('bare-express', ['--import', 'tsx', BARE], {});
  try {
    await waitReady(r);
    return await drive('bare Express 5', r);
  } finally {
    await stopProcess(r);
  }
}

const loadAverage = () => loadavg().map((l) => l.toFixed(2)).join(', ');

function pgName(workers: number): string {
  return workers > 1 ? `gatehouse + PostgreSQL, ${workers} processes` : 'gatehouse + PostgreSQL';
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first.`);
  const nodeArgs =
    (NODE_ARGS.length > 0 ? ` (gatehouse with node ${NODE_ARGS.join(' ')})` : '') + (CPU_PROF ? ` (gatehouse under --cpu-prof, profiles in ${CPU_PROF})` : '');
  console.log(
    `gatehouse HTTP benchmark: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}${nodeArgs}\n` +
      `autocannon: ${CONNECTIONS} connections, ${DURATION} s (after ${WARMUP} s warm-up), loopback; body ${Buffer.byteLength(BODY)} bytes (post of ${POST.length} chars, one violation)\n` +
      `gatehouse: log level ${LOG_LEVEL}, audit tick ${process.env.GATEHOUSE_AUDIT_TICK_MS ?? 'default'} ms, max batch ${process.env.GATEHOUSE_AUDIT_MAX_BATCH ?? 'default'}\n` +
      `load average before: ${loadAverage()} (other work on the machine skews req/s and latency; CPU µs/req much less)\n`,
  );

  const starts: StartTimes = {};
  const results: LoadResult[] = [];
  let audit: AuditReport | undefined;
  if (ONLY.has('bare')) results.push(await runBare());
  const audits: AuditReport[] = [];
  if (ONLY.has('postgres')) {
    for (const workers of WORKERS) {
      const pgRun = await runPostgres(starts, workers);
      results.push(pgRun.load);
      audits.push(pgRun.audit);
      audit ??= pgRun.audit;
    }
  }
  if (ONLY.has('pglite')) results.push(await runPglite(starts));

  const bare = results.find((r) => r.name === 'bare Express 5');
  console.log(`\nload average after: ${loadAverage()}`);
  console.log(
    '\n' +
      table(
        `POST /v1/evaluate, ${CONNECTIONS} connections, ${DURATION} s`,
        ['server', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'errors', 'non-2xx', 'audit_ok false', 'vs bare', 'CPU µs/req', 'CPU vs bare', 'p99 ms at ½ rate', 'peak RSS MiB'],
        results.map((r) => [
          r.name,
          int(r.rps),
          ms(r.p50),
          ms(r.p90),
          ms(r.p99),
          int(r.errors),
          int(r.non2xx),
          r.name === 'bare Express 5' ? '—' : int(r.auditNotOk),
          bare && r !== bare ? ratio(r.rps / bare.rps) : '—',
          int(r.cpuUsPerRequest),
          bare && r !== bare ? ratio(r.cpuUsPerRequest / bare.cpuUsPerRequest) : '—',
          r.half ? `${ms(r.half.p99)} (${int(r.half.rps)}/s)` : '—',
          int(r.peakRssMiB),
        ]),
      ),
  );

  for (const [i, a] of audits.entries()) if (i > 0) console.log(`audit check (PostgreSQL, ${WORKERS[i]} processes): ${int(a.answered)} answered, ${int(a.missing)} missing, ${int(a.missingCommitted)} answered audit_ok true without a row`);
  if (audit) {
    console.log(
      `audit check (PostgreSQL): ${int(audit.answered)} answered requests (warm-up included), ${int(audit.missingAtOnce)} missing from audit_events ` +
        `right after the load (${int(audit.missingCommitted)} of them answered audit_ok true)` +
        (audit.waitedS > 0 ? `, ${int(audit.missing)} after waiting ${audit.waitedS} s for outbox replays` : '') +
        `; ${int(audit.inserts)} INSERTs wrote them (${((audit.answered - audit.missing) / audit.inserts).toFixed(1)} rows per group commit)` +
        (audit.duplicates > 0 ? `, ${int(audit.duplicates)} duplicate request_ids in answers` : ''),
    );
  }
  const startRows: (string | number)[][] = [];
  if (starts.postgres !== undefined) startRows.push(['PostgreSQL (new database: migrations)', ms(starts.postgres)]);
  if (starts.pgliteFirst !== undefined) startRows.push(['PGlite, new data dir (first run)', ms(starts.pgliteFirst)]);
  if (starts.pgliteSecond !== undefined) startRows.push(['PGlite, same data dir (second start)', ms(starts.pgliteSecond)]);
  if (startRows.length > 0) console.log('\n' + table('start-up: spawn → /readyz 200', ['gatehouse', 'ms'], startRows));

  const pgLoad = results.find((r) => r.name === 'gatehouse + PostgreSQL');
  if (pgLoad || starts.pgliteSecond !== undefined) {
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
    const lines: string[] = [];
    if (pgLoad && bare) lines.push(`${verdict(pgLoad.rps / bare.rps >= 0.45)}  PostgreSQL req/s ≥ 0.45× bare Express: ${ratio(pgLoad.rps / bare.rps)}`);
    if (pgLoad && bare) lines.push(`${verdict(pgLoad.cpuUsPerRequest / bare.cpuUsPerRequest <= 2.2)}  CPU µs/request ≤ 2.2× bare Express: ${ratio(pgLoad.cpuUsPerRequest / bare.cpuUsPerRequest)}`);
    if (pgLoad?.half) lines.push(`${verdict(pgLoad.half.p99 < 10)}  p99 < 10 ms at half its maximum rate: ${ms(pgLoad.half.p99)} ms at ${int(pgLoad.half.rps)} req/s`);
    if (pgLoad) {
      lines.push(`${verdict(pgLoad.errors + pgLoad.non2xx === 0)}  zero errors: ${pgLoad.errors} errors (${pgLoad.timeouts} timeouts), ${pgLoad.non2xx} non-2xx`);
    }
    if (audit) {
      lines.push(
        `${verdict(audit.missing === 0 && audit.missingCommitted === 0)}  every answered request in the audit table: ${int(audit.missing)} missing of ${int(audit.answered)}` +
          (audit.missingCommitted > 0 ? ` (${int(audit.missingCommitted)} answered audit_ok true without a row: a bug)` : ''),
      );
      // A row that missed the write timeout is answered audit_ok false (no receipt) and replayed from the outbox later.
      lines.push(`${verdict(pgLoad?.auditNotOk === 0)}  every answer committed in time (audit_ok true): ${int(pgLoad?.auditNotOk ?? 0)} deferred to the outbox`);
    }
    if (starts.pgliteSecond !== undefined) lines.push(`${verdict(starts.pgliteSecond < 1500)}  PGlite start-up < 1.5 s after the first run: ${ms(starts.pgliteSecond)} ms`);
    console.log(`targets (issue 14, one process):\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  }
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  killAll();
  await runCleanups();
}
