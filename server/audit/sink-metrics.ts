/** The durable audit sink's metrics: breaker state, outbox backlog, deferrals, replays, losses. */
import { Counter, Gauge, type Registry } from 'prom-client';
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

