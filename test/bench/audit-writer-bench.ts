/**
 * The audit batch INSERT, before and after (docs/performance.md, "Audit writer"): CPU of this
 * process and wall time per batch, on a real PostgreSQL, variants interleaved in rounds so that
 * the machine's swings hit them alike.
 *
 *   knex      the writer before: knex's query builder, one INSERT … VALUES per batch with 23 binds
 *             per row and two jsonb columns serialised per row, ON CONFLICT DO NOTHING;
 *   jsonb     one named prepared statement, INSERT … SELECT FROM jsonb_populate_recordset($1),
 *             the batch as one JSON bind, no chain (what the change to pg alone buys);
 *   long way  the chained writer's transaction (audit-insert.ts): BEGIN with the advisory lock per
 *             chain and the heads, SHA-256 chain hashes, the prepared jsonb INSERT, COMMIT: three
 *             round trips (a new store per batch, which knows no chain's head);
 *   one trip  the writer now: a store that committed the chain's last batch hashes from its own
 *             head and sends one statement (one-trip-append.ts, gatehouse_audit_append);
 *   chained×2 two pools writing the same stage at once (the lock queues them; each finds the
 *             chain moved on by the other, and goes the long way while it cools down).
 *
 *   npx tsx test/bench/audit-writer-bench.ts [--rounds 15] [--batch 50] [--compression pglz]
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres (default)
 *
 * PostgreSQL's own CPU per row is read from /proc for the bench database's backends (so only
 * with PostgreSQL on this machine), summed over every round: a backend's CPU counts in 10 ms
 * ticks. `--compression pglz` sets the large columns back to PostgreSQL's default TOAST
 * compression (the migrations choose lz4 where the server has it).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { createAuditStore, type AuditRow } from '../../server/audit/audit-store.js';
import { MEMORY_DATA_DIR, openDatabase } from '../../server/db/database.js';
import { toJsonb } from '../../server/db/driver-values.js';
import { makeDatabase } from '../helpers/databases.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '15' }, batch: { type: 'string', default: '50' }, compression: { type: 'string' } },
});
const ROUNDS = Number(values.rounds);
const BATCH = Number(values.batch);

/** A row shaped like a real FAIL decision of the qa pack (about 1.6 kB of jsonb). */
function row(stage: string): AuditRow {
  const request_id = randomUUID();
  const violation = {
    code: 'PROFANITY', check: 'profanity', severity: 'block', category: 'quality', post: 0, span: [5, 12], evidence: 'f*****g',
    message: 'Post 1 contains profanity (f*****g).', suggestedFix: 'Replace or remove "f*****g"; the sanitized text shows it masked.',
  };
  return {
    request_id, receipt_id: randomUUID(), created_at: new Date(), stage, mode: 'enforced', pack_id: 'qa', policy_version: '2.0.0',
    policy_hash: 'sha256:9b0c4f4d1e0a7c2b8f7e6d5c4b3a29180716253443526170819a0b1c2d3e4f5a', decision: 'FAIL', allowed: false,
    violation_codes: ['PROFANITY'], violations: [violation], content_sha256: 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9',
    content_size: 52, content_kind: 'text', content: null, workflow_id: 'wf-bench', agent: 'writer', platform: 'x', caller: 'env-evaluator-3f2a9c1d',
    caller_key_id: 'a1b2c3', latency_ms: 1.234,
    response: {
      request_id, receipt_id: null, stage, mode: 'enforced', policy: { pack: 'qa', version: '2.0.0', hash: 'sha256:9b0c' }, decision: 'FAIL',
      checks: ['profanity', 'violent-threat', 'self-harm', 'tos-spam', 'post-length', 'numbering'], allowed: false, violations: [violation],
      required_edits: [{ check: 'profanity', code: 'PROFANITY', post: 0, span: [5, 12], action: 'replace', replacement: 'f*****g' }],
      warnings: [], sanitized: ['This f*****g planner is the best thing we have built.'], audit_ok: true,
      error: { code: 'QA_REJECTED', message: 'Blocked by 1 violation: PROFANITY.', suggestedFix: violation.suggestedFix, details: { violations: [violation] } },
    },
  };
}

/** The writer before this change, as it was (git show 1821498^:server/audit/audit-store.ts). */
async function knexInsert(knex: Knex, rows: AuditRow[]): Promise<void> {
  await knex('audit_events')
    .insert(
      rows.map((r) => ({
        request_id: r.request_id, receipt_id: r.receipt_id, created_at: r.created_at, stage: r.stage, mode: r.mode, pack_id: r.pack_id,
        policy_version: r.policy_version, policy_hash: r.policy_hash, decision: r.decision, allowed: r.allowed, violation_codes: r.violation_codes,
        violations: toJsonb(r.violations), content_sha256: r.content_sha256, content_size: r.content_size, content_kind: r.content_kind ?? null,
        content: r.content, workflow_id: r.workflow_id, agent: r.agent, platform: r.platform, caller: r.caller, latency_ms: r.latency_ms,
        response: toJsonb(r.response),
      })),
    )
    .onConflict('request_id')
    .ignore();
}

const JSONB_INSERT = {
  name: 'bench_jsonb_insert',
  text: `INSERT INTO audit_events (request_id, receipt_id, created_at, stage, mode, pack_id, policy_version, policy_hash, decision, allowed,
           violation_codes, violations, content_sha256, content_size, content_kind, content, workflow_id, agent, platform, caller, caller_key_id,
           latency_ms, response)
         SELECT request_id, receipt_id, created_at, stage, mode, pack_id, policy_version, policy_hash, decision, allowed, violation_codes,
           violations, content_sha256, content_size, content_kind, content, workflow_id, agent, platform, caller, caller_key_id, latency_ms, response
           FROM jsonb_populate_recordset(NULL::audit_events, $1::jsonb) ON CONFLICT (request_id) DO NOTHING`,
};

async function jsonbInsert(knex: Knex, rows: AuditRow[]): Promise<void> {
  const client = knex.client as unknown as { acquireConnection(): Promise<{ query(q: unknown): Promise<unknown> }>; releaseConnection(c: unknown): Promise<void> };
  const connection = await client.acquireConnection();
  try {
    await connection.query({ ...JSONB_INSERT, values: [JSON.stringify(rows)] });
  } finally {
    await client.releaseConnection(connection);
  }
}

interface Sample {
  cpuUs: number;
  wallMs: number;
  /** CPU of the database's backends, in clock ticks. */
  pgTicks: number;
}

/** The bench database's backends (both pools' connections). */
async function backendPids(knex: Knex): Promise<number[]> {
  const { rows } = await knex.raw('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
  return (rows as { pid: number }[]).map((r) => r.pid);
}

/** User + system clock ticks of these processes (fields 14 and 15 of /proc/PID/stat); 0 where unreadable. */
function ticksOf(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Not on this machine, or gone.
    }
  }
  return ticks;
}

async function measure(fn: () => Promise<unknown>, pids: number[]): Promise<Sample> {
  const pg = ticksOf(pids);
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { cpuUs: used.user + used.system, wallMs, pgTicks: ticksOf(pids) - pg };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const t = await makeDatabase('postgres');
const second = await openDatabase({ databaseUrl: t.url!, dataDir: MEMORY_DATA_DIR, poolMax: 2 });
try {
  const knex = t.db.knex;
  const store = createAuditStore(knex);
  const store2 = createAuditStore(second.knex);
  const variants: Record<string, () => Promise<unknown>> = {
    knex: () => knexInsert(knex, Array.from({ length: BATCH }, () => row('bench-knex'))),
    jsonb: () => jsonbInsert(knex, Array.from({ length: BATCH }, () => row('bench-jsonb'))),
    'long way': () => createAuditStore(knex).insertMany(Array.from({ length: BATCH }, () => row('bench-long'))),
    'one trip': () => store.insertMany(Array.from({ length: BATCH }, () => row('bench-one'))),
    'chained×2': async () => {
      await Promise.all([
        store.insertMany(Array.from({ length: BATCH }, () => row('bench-shared'))),
        store2.insertMany(Array.from({ length: BATCH }, () => row('bench-shared'))),
      ]);
    },
  };
  if (values.compression) {
    await knex.raw(`ALTER TABLE audit_events ${['response', 'violations', 'content'].map((c) => `ALTER COLUMN ${c} SET COMPRESSION ${values.compression}`).join(', ')}`);
  }
  // Warm-up: connections, prepared statements, JIT.
  for (let i = 0; i < 5; i++) for (const fn of Object.values(variants)) await fn();
  const pids = [...(await backendPids(knex)), ...(await backendPids(second.knex))];
  const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of Object.entries(variants)) samples[name]!.push(await measure(fn, [...new Set(pids)]));
  }
  console.log(`audit batch INSERT, ${BATCH} rows per batch, ${ROUNDS} interleaved rounds, medians (chained×2: two batches, one per writer)`);
  const tick = 1e6 / 100; // µs per clock tick (USER_HZ is 100 on Linux)
  console.log(`TOAST compression of the large columns: ${values.compression ?? 'as migrated'}`);
  console.log('variant     CPU µs/batch  CPU µs/row  wall ms/batch  PostgreSQL CPU µs/row (all rounds)');
  for (const [name, s] of Object.entries(samples)) {
    const cpu = median(s.map((x) => x.cpuUs));
    const rows = name === 'chained×2' ? 2 * BATCH : BATCH;
    const pgPerRow = (s.reduce((sum, x) => sum + x.pgTicks, 0) * tick) / (rows * s.length);
    console.log(
      `${name.padEnd(11)} ${cpu.toFixed(0).padStart(12)}  ${(cpu / rows).toFixed(1).padStart(10)}  ${median(s.map((x) => x.wallMs)).toFixed(2).padStart(13)}  ${pgPerRow.toFixed(0).padStart(33)}`,
    );
  }
  const { rows: check } = await knex.raw("SELECT count(*)::int AS n, count(DISTINCT seq)::int AS seqs FROM audit_events WHERE chain = 'bench-shared'");
  console.log(`bench-shared chain: ${check[0].n} rows, ${check[0].seqs} distinct seq (equal: no fork)`);
} finally {
  await second.close();
  await t.cleanup();
}
