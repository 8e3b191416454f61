/**
 * The seam between the evaluation service and the audit store: what appending
 * an audit row can come to. The service depends on these types only; the
 * implementation is durable-audit-sink.ts (group commit, breaker, outbox).
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { BreakerState, CircuitBreaker } from '../lib/circuit-breaker.js';
import type { AuditRow, AuditStore } from './audit-store.js';
import type { AuditWriter } from './audit-writer.js';
import type { AuditOutbox, ReplayReport } from './outbox.js';

/** Why a row could not be committed in time, and the breaker's state at that moment. */
export interface Deferral {
  reason: 'breaker-open' | 'write-failed' | 'write-timeout';
  breaker: BreakerState;
}

/** Where an appended row stands: in the database, or not committed in time (keep it with `keep()`). */
export type AuditOutcome = { status: 'committed' } | ({ status: 'deferred' } & Deferral);

export interface AuditSink {
  /** Commits the row; resolves once it is in the database, or deferred once it could not be in time. Nothing is kept yet. */
  append(row: AuditRow): Promise<AuditOutcome>;
  /**
   * Keeps a deferred row in the durable outbox, for a later replay: the row as answered (no
   * receipt, audit_ok false), not as it would have been. Rejects when it cannot be kept (lost).
   */
  keep(row: AuditRow, deferral: Deferral): Promise<void>;
  /** Writes everything queued now; resolves when those writes have settled. */
  flush(): Promise<void>;
  /** Flushes, then refuses further appends. */
  close(): Promise<void>;
}

// A type, not an interface: readiness reports take it as a plain record.
export type AuditHealth = {
  /** False only while rows can be neither committed nor kept (the outbox failed). */
  ok: boolean;
  breaker: BreakerState;
  consecutive_failures: number;
  outbox_rows: number;
  outbox_error?: string;
};

export interface DurableAuditSink extends AuditSink {
  readonly breaker: CircuitBreaker;
  health(): AuditHealth;
  /** Replays the outbox now if the breaker allows it; undefined when nothing ran or it failed. */
  replay(): Promise<ReplayReport | undefined>;
}

export interface DurableAuditSinkOptions {
  /** Group commit to the database. */
  writer: AuditWriter;
  /** Replays insert through the store directly (ON CONFLICT (request_id) DO NOTHING). */
  store: Pick<AuditStore, 'insertMany'>;
  outbox: AuditOutbox;
  /** Consecutive failed writes that open the breaker. */
  breakerThreshold: number;
  /** Time the breaker stays open before a probe, in ms. */
  breakerResetMs: number;
  /** Longest wait for a commit before the row goes to the outbox, in ms: the audit part of the latency budget. */
  writeTimeoutMs: number;
  /** Longest wait for one replayed chunk. @defaultValue 10,000 ms */
  replayTimeoutMs?: number;
  /** Checks the database when the breaker must be probed and the outbox is empty. */
  ping?: () => Promise<unknown>;
  logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  /** Registers the sink's metrics here (breaker state, outbox rows, deferrals, replays). */
  registry?: Registry;
}
