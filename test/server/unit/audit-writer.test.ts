import { describe, expect, it } from 'vitest';
import type { AuditRow } from '../../../server/audit/audit-store.js';
import { AuditWriterClosedError, createAuditWriter, type SettledBatch } from '../../../server/audit/audit-writer.js';
import { auditRow } from '../../helpers/audit-rows.js';

/** A store whose inserts wait until the test releases them. */
function gatedStore() {
  const calls: { rows: AuditRow[]; release(): void; fail(e: Error): void }[] = [];
  return {
    calls,
    insertMany(rows: AuditRow[]) {
      return new Promise<void>((resolve, reject) => calls.push({ rows, release: resolve, fail: reject }));
    },
  };
}

const tick = (ms = 10) => new Promise((r) => setTimeout(r, ms));
const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => auditRow({ request_id: `r-${from + i}` }));

describe('audit writer (group commit)', () => {
  it('shares one insert among concurrent appends and resolves only after the commit', async () => {
    const store = gatedStore();
    const writer = createAuditWriter(store, { tickMs: 2, maxBatch: 200 });
    let settled = 0;
    const appends = rows(10).map((r) => writer.append(r).then(() => settled++));
    await tick();
    expect(store.calls).toHaveLength(1);
    expect(store.calls[0]!.rows.map((r) => r.request_id)).toEqual(rows(10).map((r) => r.request_id));
    expect(settled).toBe(0); // not committed yet
    store.calls[0]!.release();
    await Promise.all(appends);
    expect(settled).toBe(10);
  });

  it('splits at maxBatch without waiting for the tick', async () => {
    const store = gatedStore();
    const writer = createAuditWriter(store, { tickMs: 10_000, maxBatch: 200 });
    const appends = rows(450).map((r) => writer.append(r));
    await tick();
    // A full batch goes at once; the rest wait for it, not for the (long) tick.
    expect(store.calls.map((c) => c.rows.length)).toEqual([200]);
    store.calls[0]!.release();
    await tick();
    expect(store.calls.map((c) => c.rows.length)).toEqual([200, 200]);
    store.calls[1]!.release();
    await tick();
    expect(store.calls.map((c) => c.rows.length)).toEqual([200, 200, 50]);
    store.calls[2]!.release();
    await Promise.all(appends);
  });

  it('keeps one insert in flight: rows that arrive meanwhile share the next one, written as soon as it settles', async () => {
    const store = gatedStore();
    const writer = createAuditWriter(store, { tickMs: 10_000, maxBatch: 200 });
    const first = writer.append(auditRow({ request_id: 'first' }));
    void writer.flush();
    expect(store.calls).toHaveLength(1);
    const later = rows(30).map((r) => writer.append(r));
    await tick();
    expect(store.calls).toHaveLength(1); // not a second INSERT beside the first
    store.calls[0]!.release();
    await first;
    await tick();
    expect(store.calls.map((c) => c.rows.length)).toEqual([1, 30]); // no tick waited for
    store.calls[1]!.release();
    await Promise.all(later);
  });

  it('rejects every append of a failed batch, and later batches still commit', async () => {
    const store = gatedStore();
    const writer = createAuditWriter(store, { tickMs: 1, maxBatch: 200 });
    const first = rows(3).map((r) => writer.append(r));
    await tick();
    store.calls[0]!.fail(new Error('connection refused'));
    const results = await Promise.allSettled(first);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason.message).toBe('connection refused');

    const second = writer.append(auditRow({ request_id: 'after' }));
    await tick();
    store.calls[1]!.release();
    await expect(second).resolves.toBe('committed');
  });

  it('tells its observer about each batch once its rows are settled, and a throwing observer changes no outcome', async () => {
    const seen: SettledBatch[] = [];
    const settledWhenSeen: number[] = [];
    let settledFirst = 0;
    const store = gatedStore();
    const writer = createAuditWriter(
      { insertMany: (batch) => store.insertMany(batch).then(() => 'one-trip' as const) },
      {
        tickMs: 1,
        maxBatch: 200,
        observe: (batch) => {
          seen.push(batch);
          settledWhenSeen.push(settledFirst);
          throw new Error('a broken metric');
        },
      },
    );
    const first = rows(4).map((r) => writer.append(r).then(() => settledFirst++));
    await tick();
    store.calls[0]!.release();
    await Promise.all(first);
    const failed = rows(2, 10).map((r) => writer.append(r));
    await tick();
    store.calls[1]!.fail(new Error('connection refused'));
    expect((await Promise.allSettled(failed)).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(seen.map(({ rows, path, failed }) => ({ rows, path, failed }))).toEqual([
      { rows: 4, path: 'one-trip', failed: false },
      { rows: 2, path: undefined, failed: true },
    ]);
    expect(seen.every((b) => b.seconds >= 0 && b.seconds < 5)).toBe(true);
    // Observed right after the rows were resolved, before their continuations ran: nothing waits on it.
    expect(settledWhenSeen).toEqual([0, 4]);
  });

  it('close() flushes what is queued, then refuses new rows', async () => {
    const committed: string[] = [];
    const writer = createAuditWriter(
      { insertMany: async (batch) => void committed.push(...batch.map((r) => r.request_id)) },
      { tickMs: 10_000, maxBatch: 200 },
    );
    const pending = rows(3).map((r) => writer.append(r));
    await writer.close();
    await Promise.all(pending);
    expect(committed).toEqual(['r-0', 'r-1', 'r-2']);
    await expect(writer.append(auditRow({ request_id: 'late' }))).rejects.toBeInstanceOf(AuditWriterClosedError);
  });
});
