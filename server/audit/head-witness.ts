/**
 * Logs each audit chain's head (`audit chain head`, with chain, seq and row_hash) at most once
 * per interval, from the heads the audit store reports after each commit. The log stream goes
 * somewhere the database's administrators cannot rewrite, so these lines are the kept heads
 * that let `gatehouse audit verify --heads LOG` see rows cut off the end of a chain, or a chain
 * rewritten with its hashes recomputed (docs/decisions/0010-audit-hash-chain.md).
 */
import type { Logger } from 'pino';
import type { ChainHead } from './audit-chain.js';
import type { AuditStore } from './audit-store.js';

export const HEAD_LOG_MESSAGE = 'audit chain head';

export interface HeadWitness {
  /** Logs the heads not logged yet (at shutdown, so the last batch is witnessed too). */
  flush(): void;
  close(): void;
}

export function createHeadWitness(options: { store: Pick<AuditStore, 'watchHeads'>; logger: Logger; intervalMs: number }): HeadWitness {
  const { store, logger, intervalMs } = options;
  const pending = new Map<string, ChainHead>();
  const flush = (): void => {
    if (pending.size === 0) return;
    for (const head of pending.values()) logger.info({ chain: head.chain, seq: head.seq, row_hash: head.row_hash }, HEAD_LOG_MESSAGE);
    pending.clear();
    // Out of the log's buffer now, not at the next second (decision 20): a witness line lost to a SIGKILL is a head not kept.
    logger.flush();
  };
  if (intervalMs <= 0) return { flush: () => undefined, close: () => undefined };
  const unwatch = store.watchHeads((heads) => {
    // Batches of one chain commit in seq order (the writer holds the chain's lock), but two
    // instances' may reach this one's listener in any order: keep the furthest.
    for (const head of heads) if ((pending.get(head.chain)?.seq ?? 0) < head.seq) pending.set(head.chain, head);
  });
  const timer = setInterval(flush, intervalMs);
  timer.unref();
  return {
    flush,
    close() {
      clearInterval(timer);
      unwatch();
      flush();
    },
  };
}
