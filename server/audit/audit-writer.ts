/**
 * Group commit of audit rows: appends that arrive within one short tick share
 * one multi-row INSERT, and each append resolves only once its own row is
 * committed (or rejects when its batch failed). The durable audit sink
 * (durable-audit-sink.ts) puts a breaker, a deadline and the outbox around it.
 */
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
  /** Rows per INSERT; a full batch is written at once without waiting for the tick. @defaultValue 200 */
  maxBatch: number;
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
  const inFlight = new Set<Promise<void>>();

  async function write(batch: Pending[]): Promise<void> {
    try {
      await store.insertMany(batch.map((p) => p.row));
      for (const p of batch) p.resolve('committed');
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }

  function drain(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(maxBatch);
      const p = write(batch);
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
  }

  async function flush(): Promise<void> {
    drain();
    await Promise.all([...inFlight]);
  }

  return {
    append(row) {
      if (closed) return Promise.reject(new AuditWriterClosedError());
      return new Promise<'committed'>((resolve, reject) => {
        queue.push({ row, resolve, reject });
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
