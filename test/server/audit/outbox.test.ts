import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditRow } from '../../../server/audit/audit-store.js';
import { decodeLine, encodeLine, openOutbox, type AuditOutbox } from '../../../server/audit/outbox.js';
import { DataDirLockedError } from '../../../server/db/data-dir-lock.js';
import { auditRow } from '../../helpers/audit-rows.js';

const dirs: string[] = [];
const open: AuditOutbox[] = [];

afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gh-outbox-test-'));
  dirs.push(dir);
  return dir;
}

async function outboxIn(dir: string, options: { maxSegmentBytes?: number; replayBatch?: number } = {}) {
  const damage: { segment: string; skipped: number; kept_as: string | null }[] = [];
  const outbox = await openOutbox({ dir, ...options, onDamage: (d) => damage.push(d) });
  open.push(outbox);
  return { outbox, damage };
}

/** Closes an outbox as a restart would, so that the next open of the folder is allowed. */
async function restart(outbox: AuditOutbox): Promise<void> {
  open.splice(open.indexOf(outbox), 1);
  await outbox.close();
}

/** A store with the audit store's contract: ON CONFLICT (request_id) DO NOTHING. */
function idempotentStore() {
  const stored = new Map<string, AuditRow>();
  const attempts = new Map<string, number>();
  let failAfterCalls = Infinity;
  let calls = 0;
  return {
    stored,
    attempts,
    failAfter(n: number) {
      failAfterCalls = n;
      calls = 0;
    },
    async insertMany(rows: AuditRow[]) {
      if (calls++ >= failAfterCalls) throw new Error('connection terminated');
      for (const row of rows) {
        attempts.set(row.request_id, (attempts.get(row.request_id) ?? 0) + 1);
        if (!stored.has(row.request_id)) stored.set(row.request_id, row);
      }
    },
  };
}

const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => auditRow({ request_id: `r-${from + i}`, response: { audit_ok: false, n: from + i } }));
const segments = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort();

describe('audit outbox', () => {
  it('round-trips a row exactly, created_at included', () => {
    const row = auditRow({ request_id: 'r-1', created_at: new Date('2026-03-04T05:06:07.089Z'), violations: [{ code: 'PROFANITY', span: [1, 2] }] });
    const line = encodeLine(row);
    expect(line.endsWith('\n')).toBe(true);
    expect(decodeLine(line.trimEnd())).toEqual(row);
  });

  it('rejects a line whose checksum does not match, or that is cut short', () => {
    const line = encodeLine(auditRow({ request_id: 'r-1' })).trimEnd();
    expect(decodeLine(line.slice(0, line.length - 5))).toBeUndefined();
    expect(decodeLine(line.replace('"prod"', '"prid"'))).toBeUndefined();
    expect(decodeLine('')).toBeUndefined();
    expect(decodeLine('not a line')).toBeUndefined();
  });

  it('keeps concurrent appends on disk in one segment, and replays each row once', async () => {
    const dir = tempDir();
    const { outbox } = await outboxIn(dir);
    await Promise.all(rows(250).map((r) => outbox.append(r)));
    expect(outbox.pending()).toBe(250);
    expect(segments(dir)).toHaveLength(1);
    expect(readFileSync(path.join(dir, segments(dir)[0]!), 'utf8').split('\n').filter(Boolean)).toHaveLength(250);

    const store = idempotentStore();
    expect(await outbox.replay((r) => store.insertMany(r))).toEqual({ rows: 250, segments: 1, skipped: 0 });
    expect(store.stored.size).toBe(250);
    expect([...store.attempts.values()].every((n) => n === 1)).toBe(true);
    expect(outbox.pending()).toBe(0);
    expect(segments(dir)).toEqual([]);

    expect(await outbox.replay((r) => store.insertMany(r))).toEqual({ rows: 0, segments: 0, skipped: 0 });
    expect([...store.attempts.values()].every((n) => n === 1)).toBe(true);
  });

  it('finds the rows of an earlier run after a restart', async () => {
    const dir = tempDir();
    const first = (await outboxIn(dir)).outbox;
    for (const r of rows(5)) await first.append(r);
    await restart(first);

    const { outbox } = await outboxIn(dir);
    expect(outbox.pending()).toBe(5);
    const store = idempotentStore();
    await outbox.replay((r) => store.insertMany(r));
    expect([...store.stored.values()]).toEqual(rows(5));
  });

  it('skips a torn last line after a crash, replays the rest, and never appends after it', async () => {
    const dir = tempDir();
    const first = (await outboxIn(dir)).outbox;
    for (const r of rows(3)) await first.append(r);
    await restart(first);
    // A crash in the middle of the fourth append: half a line, no newline, never acknowledged.
    const [segment] = segments(dir);
    const torn = encodeLine(rows(1, 3)[0]!);
    appendFileSync(path.join(dir, segment!), torn.slice(0, Math.floor(torn.length / 2)));

    const { outbox, damage } = await outboxIn(dir);
    await outbox.append(rows(1, 10)[0]!);
    // The new row went to a new segment, not after the torn line.
    expect(segments(dir)).toHaveLength(2);
    expect(readFileSync(path.join(dir, segment!), 'utf8').endsWith('\n')).toBe(false);

    const store = idempotentStore();
    const report = await outbox.replay((r) => store.insertMany(r));
    expect(report).toEqual({ rows: 4, segments: 2, skipped: 1 });
    expect([...store.stored.keys()].sort()).toEqual(['r-0', 'r-1', 'r-10', 'r-2']);
    // A torn tail is expected after a crash: the segment is removed, not kept as damaged.
    expect(damage).toEqual([{ segment, skipped: 1, kept_as: null }]);
    expect(readdirSync(dir).filter((n) => n.startsWith('segment-'))).toEqual([]);
  });

  it('keeps a segment with a corrupt line before its end aside, after replaying its good rows', async () => {
    const dir = tempDir();
    const lines = rows(3).map(encodeLine);
    writeFileSync(path.join(dir, 'segment-000000000000001-000000.jsonl'), [lines[0], 'garbage\n', lines[1], lines[2]].join(''));
    const { outbox, damage } = await outboxIn(dir);
    const store = idempotentStore();
    expect(await outbox.replay((r) => store.insertMany(r))).toEqual({ rows: 3, segments: 1, skipped: 1 });
    expect(damage[0]?.kept_as).toBe('segment-000000000000001-000000.jsonl.damaged');
    expect(readdirSync(dir)).toContain('segment-000000000000001-000000.jsonl.damaged');
  });

  it('replays exactly once across a failure in the middle of a replay and a restart', async () => {
    const dir = tempDir();
    const first = (await outboxIn(dir, { replayBatch: 10, maxSegmentBytes: 20_000 })).outbox;
    // One by one: a concurrent burst would be one write, and one segment.
    for (const r of rows(95)) await first.append(r);
    expect(segments(dir).length).toBeGreaterThan(1);

    const store = idempotentStore();
    // The database dies after two chunks, inside the first segment: the replay fails and keeps that segment.
    store.failAfter(2);
    await expect(first.replay((r) => store.insertMany(r))).rejects.toThrow('connection terminated');
    expect(store.stored.size).toBe(20);
    expect(first.pending()).toBeGreaterThan(0);
    await first.append(rows(1, 95)[0]!);
    await restart(first);

    // Next start: everything is replayed; rows inserted twice are ignored by the store.
    store.failAfter(Infinity);
    const { outbox } = await outboxIn(dir, { replayBatch: 10 });
    await outbox.replay((r) => store.insertMany(r));
    expect(store.stored.size).toBe(96);
    // Some rows reached the store twice (the failed segment is replayed whole); the store kept one of each.
    expect([...store.attempts.values()].some((n) => n > 1)).toBe(true);
    expect([...store.stored.keys()].sort()).toEqual(rows(96).map((r) => r.request_id).sort());
    expect(outbox.pending()).toBe(0);
    expect(segments(dir)).toEqual([]);
  });

  it('lets appends continue into a new segment while a replay runs', async () => {
    const dir = tempDir();
    const { outbox } = await outboxIn(dir);
    for (const r of rows(3)) await outbox.append(r);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const store = idempotentStore();
    const replay = outbox.replay(async (r) => {
      await gate;
      await store.insertMany(r);
    });
    await new Promise((r) => setTimeout(r, 10));
    await outbox.append(rows(1, 3)[0]!);
    release();
    expect((await replay).rows).toBe(3);
    expect(outbox.pending()).toBe(1);
    await outbox.replay((r) => store.insertMany(r));
    expect(store.stored.size).toBe(4);
  });

  it('refuses a second outbox on the same folder', async () => {
    const dir = tempDir();
    await outboxIn(dir);
    await expect(openOutbox({ dir })).rejects.toBeInstanceOf(DataDirLockedError);
  });

  it('refuses appends once closed, and keeps what it holds for the next start', async () => {
    const dir = tempDir();
    const first = (await outboxIn(dir)).outbox;
    await first.append(rows(1)[0]!);
    await restart(first);
    await expect(first.append(rows(1, 1)[0]!)).rejects.toThrow('closed');
    expect((await outboxIn(dir)).outbox.pending()).toBe(1);
  });
});
