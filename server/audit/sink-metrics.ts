/** The durable audit sink's metrics: breaker state, outbox backlog, deferrals, replays, losses; and its group commits. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SettledBatch } from './audit-writer.js';
import type { BreakerState, CircuitBreaker } from '../lib/circuit-breaker.js';
import type { AuditOutbox } from './outbox.js';

export interface SinkMetrics {
  breakerState: Gauge<'state'>;
  outboxRows: Gauge;
  deferred: Counter<'reason'>;
  replayed: Counter;
  lost: Counter;
}

const STATES: BreakerState[] = ['closed', 'open', 'half-open'];

// The gauges are read at scrape time (prom-client calls collect() first), so they never drift.
export function registerSinkMetrics(registry: Registry, breaker: CircuitBreaker, outbox: AuditOutbox): SinkMetrics {
  return {
    breakerState: new Gauge({
      name: 'gatehouse_audit_breaker_state',
      help: 'Circuit breaker over the audit store: 1 for the current state (closed, open, half-open), 0 for the others.',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const state = breaker.state;
        for (const s of STATES) this.set({ state: s }, s === state ? 1 : 0);
      },
    }),
    outboxRows: new Gauge({
      name: 'gatehouse_audit_outbox_rows',
      help: 'Audit rows kept in the local outbox, waiting to be replayed into the audit store.',
      registers: [registry],
      collect() {
        this.set(outbox.pending());
      },
    }),
    deferred: new Counter({
      name: 'gatehouse_audit_deferred_total',
      help: 'Audit rows kept in the local outbox instead of committed, by reason (breaker-open, write-failed, write-timeout).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    replayed: new Counter({
      name: 'gatehouse_audit_replayed_total',
      help: 'Audit rows replayed from the local outbox into the audit store (rows already there are skipped by the store).',
      registers: [registry],
    }),
    lost: new Counter({
      name: 'gatehouse_audit_lost_total',
      help: 'Audit rows that could be neither committed nor kept in the outbox (disk failure).',
      registers: [registry],
    }),
  };
}


/**
 * The group commits (audit-writer.ts): rows per batch, the time from an INSERT sent to its outcome
 * seen by the event loop (what every evaluation in the batch waited, besides its own wait to be
 * sent), and batches by how they were written: `one_trip` (decision 22), `long_way` (the writer
 * did not know a chain's head, or another instance moved it on: many of these on one stage mean
 * instances sharing it), `failed`.
 */
export function registerBatchMetrics(registry: Registry): (batch: SettledBatch) => void {
  const rows = new Histogram({
    name: 'gatehouse_audit_batch_rows',
    help: 'Audit rows per group-commit batch.',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'gatehouse_audit_commit_seconds',
    help: 'From a group-commit batch sent to the audit store to its outcome seen by this process.',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const batches = new Counter({
    name: 'gatehouse_audit_batches_total',
    help: 'Group-commit batches by how they were written: one_trip (one round trip), long_way (three), failed.',
    labelNames: ['path'],
    registers: [registry],
  });
  for (const path of ['one_trip', 'long_way', 'failed']) batches.inc({ path }, 0);
  return (batch) => {
    rows.observe(batch.rows);
    seconds.observe(batch.seconds);
    batches.inc({ path: batch.failed ? 'failed' : batch.path === 'one-trip' ? 'one_trip' : 'long_way' });
  };
}
