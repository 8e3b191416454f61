/**
 * Group commit of audit rows: appends that arrive within one short tick share
 * one multi-row INSERT, and each append resolves only once its own row is
 * committed (or rejects when its batch failed). One INSERT is in flight at a
 * time: rows that arrive while it runs go together in the next one, as soon as
 * it settles. (Batches written side by side only queued on the chain's lock in
 * PostgreSQL: under load each carried about two rows and paid five round trips.)
 * The durable audit sink (durable-audit-sink.ts) puts a breaker, a deadline and
 * the outbox around it.
 */
import type { BatchPath } from './audit-insert.js';
import type { AuditRow, AuditStore } from './audit-store.js';

export interface AuditWriter {
  /** Resolves once the row is in the database; rejects when its batch failed or the writer is closed. */
  append(row: AuditRow): Promise<'committed'>;
  /** Writes everything queued now; resolves when those writes have settled. */
  flush(): Promise<void>;
  /** Flushes, then refuses further appends. */
  close(): Promise<void>;
}

export interface AuditWriterOptions {
  /** How long the first row of a batch waits for company, in ms (Node runs a 0 ms timer after 1 ms). @defaultValue 1 */
  tickMs: number;
  /** Rows per INSERT at most; a full batch is written without waiting for the tick. @defaultValue 200 */
  maxBatch: number;
  /** Told about every batch once it settled (the sink's metrics). */
  observe?: (batch: SettledBatch) => void;
}

export interface SettledBatch {
  rows: number;
  /** From the INSERT sent to its outcome seen here: the database's time plus the wait for this event loop. */
  seconds: number;
  /** How it was written; undefined when it failed (or the store does not say). */
  path?: BatchPath;
  failed: boolean;
}

interface Pending {
  row: AuditRow;
  resolve(outcome: 'committed'): void;
  reject(error: unknown): void;
}

export class AuditWriterClosedError extends Error {
  constructor() {
    super('the audit writer is closed');
    this.name = 'AuditWriterClosedError';
  }
}

export function createAuditWriter(store: Pick<AuditStore, 'insertMany'>, options: AuditWriterOptions): AuditWriter {
  const maxBatch = Math.max(1, options.maxBatch);
  let queue: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  /** The INSERT in flight; when it settles, the rows queued meanwhile are written at once. */
  let writing: Promise<void> | undefined;

  const observe = options.observe ?? (() => undefined);

  async function write(batch: Pending[]): Promise<void> {
    const started = performance.now();
    let path: BatchPath | void;
    try {
      path = await store.insertMany(batch.map((p) => p.row));
    } catch (error) {
      for (const p of batch) p.reject(error);
      settled(batch.length, started, undefined, true);
      return;
    }
    for (const p of batch) p.resolve('committed');
    settled(batch.length, started, path || undefined, false);
  }

  function settled(rows: number, started: number, path: BatchPath | undefined, failed: boolean): void {
    try {
      observe({ rows, seconds: (performance.now() - started) / 1000, path, failed });
    } catch {
      // Metrics only: a batch's outcome never depends on them.
    }
  }

  function drain(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (writing || queue.length === 0) return;
    const batch = queue.splice(0, maxBatch);
    writing = write(batch).finally(() => {
      writing = undefined;
      drain();
    });
  }

  async function flush(): Promise<void> {
    drain();
    while (writing) await writing;
  }

  return {
    append(row) {
      if (closed) return Promise.reject(new AuditWriterClosedError());
      return new Promise<'committed'>((resolve, reject) => {
        queue.push({ row, resolve, reject });
        if (writing) return; // goes with the next INSERT, as soon as this one settles
        if (queue.length >= maxBatch) drain();
        else timer ??= setTimeout(drain, options.tickMs);
      });
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
  };
}
