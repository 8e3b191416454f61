import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditRow } from '../../../server/audit/audit-store.js';
import type { Deferral } from '../../../server/audit/audit-sink.js';
import { createAuditWriter } from '../../../server/audit/audit-writer.js';
import { createDurableAuditSink, type DurableAuditSink } from '../../../server/audit/durable-audit-sink.js';
import { openOutbox, type AuditOutbox } from '../../../server/audit/outbox.js';
import { createConfig } from '../../../server/config.js';
import { withAuditFailure } from '../../../server/evaluations/decision-body.js';
import type { DecisionBody } from '../../../contract/schemas/evaluations.js';
import { auditRow } from '../../helpers/audit-rows.js';

const silent = { info() {}, warn() {}, error() {}, debug() {} };
const dirs: string[] = [];
const sinks: DurableAuditSink[] = [];

afterEach(async () => {
  for (const s of sinks.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** An audit store with ON CONFLICT DO NOTHING that can be made to fail or to hang. */
function controllableStore() {
  const stored = new Map<string, AuditRow>();
  const store = {
    stored,
    mode: 'up' as 'up' | 'down' | 'hang',
    calls: 0,
    async insertMany(rows: AuditRow[]) {
      store.calls += 1;
      if (store.mode === 'down') throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      if (store.mode === 'hang') return new Promise<void>(() => undefined);
      for (const r of rows) if (!stored.has(r.request_id)) stored.set(r.request_id, r);
    },
  };
  return store;
}

async function build(options: { outbox?: AuditOutbox; threshold?: number; resetMs?: number; writeTimeoutMs?: number; dir?: string } = {}) {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'gh-sink-test-'));
  if (!options.dir) dirs.push(dir);
  const store = controllableStore();
  const registry = new Registry();
  const outbox = options.outbox ?? (await openOutbox({ dir }));
  const sink = createDurableAuditSink({
    writer: createAuditWriter(store, { tickMs: 1, maxBatch: 200 }),
    store,
    outbox,
    breakerThreshold: options.threshold ?? 3,
    breakerResetMs: options.resetMs ?? 60_000,
    writeTimeoutMs: options.writeTimeoutMs ?? 100,
    logger: silent,
    registry,
  });
  sinks.push(sink);
  return { sink, store, registry, outbox, dir };
}

/** Marks the kept copy, as the evaluation service does (no receipt, audit_ok false). */
const asDeferred = (row: AuditRow) => (d: Deferral) => ({ ...row, receipt_id: null, response: { audit_ok: false, reason: d.reason, breaker: d.breaker } });

/** Appends as the evaluation service does: a row not committed in time is kept as answered (asDeferred). */
async function append(sink: DurableAuditSink, row: AuditRow, answered?: (d: Deferral) => AuditRow): Promise<'committed' | 'deferred'> {
  const outcome = await sink.append(row);
  if (outcome.status === 'committed') return 'committed';
  await sink.keep((answered ?? (() => row))(outcome), outcome);
  return 'deferred';
}
// With the content kept, a row is written as given (content-redaction.ts leaves it alone): these tests are about where rows go.
const row = (id: string) => auditRow({ request_id: id, content: 'kept', response: { audit_ok: true } });

describe('durable audit sink', () => {
  it('writes a row without its content in its stored form: no text of it in the store or the outbox', async () => {
    const { sink, store, outbox } = await build();
    const answered = { audit_ok: true, sanitized: ['a secret'], violations: [{ code: 'P', check: 'p', post: 0, evidence: 's****t', message: 'quotes s****t', suggestedFix: 'drop s****t' }] };
    const secret = (id: string) => auditRow({ request_id: id, content: null, response: answered, violations: answered.violations });
    expect(await append(sink, secret('s1'), asDeferred(secret('s1')))).toBe('committed');
    expect(JSON.stringify(store.stored.get('s1'))).not.toMatch(/secret|s\*\*\*\*t/);
    expect(store.stored.get('s1')?.response).toMatchObject({ sanitized: [], content_redacted: true, violations: [{ code: 'P', check: 'p', post: 0 }] });
    await sink.keep(secret('s2'), { reason: 'write-failed', breaker: 'closed' });
    expect(outbox.pending()).toBe(1);
    const kept: AuditRow[] = [];
    await outbox.replay(async (rows) => void kept.push(...rows));
    expect(kept.map((r) => r.request_id)).toEqual(['s2']);
    expect(JSON.stringify(kept)).not.toMatch(/secret|s\*\*\*\*t/);
  });

  it('commits while the store is healthy, and keeps nothing locally', async () => {
    const { sink, store, outbox } = await build();
    expect(await append(sink, row('a'), asDeferred(row('a')))).toBe('committed');
    expect(store.stored.get('a')?.response).toEqual({ audit_ok: true });
    expect(outbox.pending()).toBe(0);
    expect(sink.health()).toEqual({ ok: true, breaker: 'closed', consecutive_failures: 0, outbox_rows: 0 });
  });

  it('keeps failed rows in the outbox as answered, opens after 3 failures, then stops calling the store', async () => {
    const { sink, store, outbox, registry } = await build();
    store.mode = 'down';
    const outcomes = [];
    for (const id of ['a', 'b', 'c']) outcomes.push(await append(sink, row(id), asDeferred(row(id))));
    expect(outcomes).toEqual(['deferred', 'deferred', 'deferred']);
    expect(sink.breaker.state).toBe('open');
    const calls = store.calls;

    expect(await append(sink, row('d'), asDeferred(row('d')))).toBe('deferred');
    expect(store.calls).toBe(calls);
    expect(outbox.pending()).toBe(4);
    expect(sink.health()).toMatchObject({ ok: true, breaker: 'open', outbox_rows: 4 });
    const metrics = await registry.metrics();
    expect(metrics).toContain('gatehouse_audit_breaker_state{state="open"} 1');
    expect(metrics).toContain('gatehouse_audit_breaker_state{state="closed"} 0');
    expect(metrics).toContain('gatehouse_audit_outbox_rows 4');
    expect(metrics).toContain('gatehouse_audit_deferred_total{reason="write-failed"} 3');
    expect(metrics).toContain('gatehouse_audit_deferred_total{reason="breaker-open"} 1');

    // What is kept is what the service answered, with the breaker state seen at that moment.
    const kept: AuditRow[] = [];
    await outbox.replay(async (rows) => void kept.push(...rows));
    expect(kept.map((r) => r.response)).toEqual([
      { audit_ok: false, reason: 'write-failed', breaker: 'closed' },
      { audit_ok: false, reason: 'write-failed', breaker: 'closed' },
      { audit_ok: false, reason: 'write-failed', breaker: 'open' },
      { audit_ok: false, reason: 'breaker-open', breaker: 'open' },
    ]);
  });

  it('answers within the write timeout when the store hangs', async () => {
    const { sink, store } = await build({ writeTimeoutMs: 50 });
    store.mode = 'hang';
    const started = Date.now();
    const outcome = await append(sink, row('slow'), asDeferred(row('slow')));
    expect(outcome).toBe('deferred');
    expect(Date.now() - started).toBeLessThan(500);
    expect(sink.breaker.snapshot().consecutive_failures).toBe(1);
    // A hung store would hold close()'s final replay for its 3 s limit: let it fail fast instead.
    store.mode = 'down';
  });

  it('probes half-open by replaying the outbox, closes, and then commits again', async () => {
    const { sink, store, outbox } = await build({ resetMs: 50 });
    store.mode = 'down';
    for (const id of ['a', 'b', 'c', 'd']) await append(sink, row(id), asDeferred(row(id)));
    expect(sink.breaker.state).toBe('open');

    store.mode = 'up';
    await expect.poll(() => store.stored.size, { timeout: 3_000 }).toBe(4);
    // Rows land chunk by chunk; the breaker closes when the whole replay (the probe) is through.
    await expect.poll(() => sink.breaker.state, { timeout: 3_000 }).toBe('closed');
    expect(outbox.pending()).toBe(0);
    expect([...store.stored.values()].every((r) => r.receipt_id === null && r.response.audit_ok === false)).toBe(true);
    expect(await append(sink, row('e'), asDeferred(row('e')))).toBe('committed');
  });

  it('stays open when the probe fails, and tries again later', async () => {
    const { sink, store } = await build({ resetMs: 50 });
    store.mode = 'down';
    for (const id of ['a', 'b', 'c']) await append(sink, row(id), asDeferred(row(id)));
    const calls = store.calls;
    await new Promise((r) => setTimeout(r, 300));
    // Probes went out (replays of the outbox) and failed: still not closed, nothing stored.
    expect(store.calls).toBeGreaterThan(calls);
    expect(sink.breaker.state).not.toBe('closed');
    expect(store.stored.size).toBe(0);
  });

  it('replays rows left by an earlier run at start', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gh-sink-test-'));
    dirs.push(dir);
    const earlier = await openOutbox({ dir });
    for (const id of ['x', 'y']) await earlier.append(row(id));
    await earlier.close();

    const { store } = await build({ dir });
    await expect.poll(() => [...store.stored.keys()].sort(), { timeout: 3_000 }).toEqual(['x', 'y']);
  });

  it('rejects, counts the loss and turns not-ok when the outbox cannot keep a row either', async () => {
    const failing: AuditOutbox = {
      dir: '/nowhere',
      append: () => Promise.reject(new Error('ENOSPC: no space left on device')),
      pending: () => 0,
      replay: async () => ({ rows: 0, segments: 0, skipped: 0 }),
      close: async () => undefined,
    };
    const { sink, store, registry } = await build({ outbox: failing });
    store.mode = 'down';
    await expect(append(sink, row('a'), asDeferred(row('a')))).rejects.toThrow('ENOSPC');
    expect(sink.health()).toMatchObject({ ok: false, outbox_error: 'ENOSPC: no space left on device' });
    expect(await registry.metrics()).toContain('gatehouse_audit_lost_total 1');
  });

  it('close() leaves the outbox empty when the store is healthy, and refuses later appends', async () => {
    const { sink, store, outbox } = await build({ threshold: 100 });
    store.mode = 'down';
    await append(sink, row('a'), asDeferred(row('a')));
    store.mode = 'up';
    await sink.close();
    expect(store.stored.has('a')).toBe(true);
    expect(outbox.pending()).toBe(0);
    await expect(sink.append(row('b'))).rejects.toThrow('closed');
  });
});

describe('a deferred decision', () => {
  const body = {
    request_id: 'r', receipt_id: 'c', stage: 's', mode: 'enforced', policy: { pack: 'qa', version: '1.0.0', hash: 'h' },
    decision: 'PASS', checks: [], allowed: true, violations: [], required_edits: [], warnings: [], sanitized: [], audit_ok: true,
  } as DecisionBody;

  it('carries CIRCUIT_BREAKER_TRIPPED while the breaker is not closed', () => {
    const enforced = withAuditFailure(body, { reason: 'breaker-open', breaker: 'open' });
    expect(enforced).toMatchObject({ allowed: false, audit_ok: false, receipt_id: null, error: { code: 'AUDIT_UNAVAILABLE' } });
    expect(enforced.warnings.map((w) => w.code)).toEqual(['CIRCUIT_BREAKER_TRIPPED']);
    const advisory = withAuditFailure({ ...body, mode: 'advisory' }, { reason: 'write-timeout', breaker: 'half-open' });
    expect(advisory).toMatchObject({ allowed: true, audit_ok: false });
    expect(advisory.warnings.map((w) => w.code)).toEqual(['AUDIT_UNAVAILABLE', 'CIRCUIT_BREAKER_TRIPPED']);
    expect(withAuditFailure(body, { reason: 'write-failed', breaker: 'closed' }).warnings).toEqual([]);
  });
});

describe('configuration', () => {
  it('has defaults for the outbox, the write timeout and the breaker, and reads each variable', () => {
    // One outbox per instance (database and port), beside the data: test/server/instances.test.ts.
    expect(createConfig({}).auditSink).toEqual({ outboxDir: 'data/outbox/pglite-8080', writeTimeoutMs: 1_000, breakerThreshold: 3, breakerResetMs: 5_000 });
    expect(createConfig({ GATEHOUSE_DATA_DIR: '/srv/gh' }).auditSink.outboxDir).toBe('/srv/gh/outbox/pglite-8080');
    expect(
      createConfig({
        GATEHOUSE_OUTBOX_DIR: '/var/spool/gh',
        GATEHOUSE_AUDIT_WRITE_TIMEOUT_MS: '75',
        GATEHOUSE_AUDIT_BREAKER_THRESHOLD: '5',
        GATEHOUSE_AUDIT_BREAKER_RESET_MS: '2000',
      }).auditSink,
    ).toEqual({ outboxDir: '/var/spool/gh', writeTimeoutMs: 75, breakerThreshold: 5, breakerResetMs: 2_000 });
    expect(() => createConfig({ GATEHOUSE_AUDIT_BREAKER_THRESHOLD: '0' })).toThrow(/GATEHOUSE_AUDIT_BREAKER_THRESHOLD=0/);
  });
});
