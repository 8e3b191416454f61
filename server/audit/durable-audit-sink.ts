/**
 * The audit sink the evaluation service writes to: group commit to the
 * database (audit-writer), behind a circuit breaker and a write timeout, with
 * the durable local outbox as the fallback. An append resolves
 *
 * - `committed` when the row is in the database (the only case that earns a receipt);
 * - `deferred` with the reason when it could not be committed in time (database
 *   down, slow, or the breaker open).
 *
 * A deferred row is then handed back with `keep()`, as the caller answered it (no
 * receipt, audit_ok false), and goes on disk in the outbox to be replayed. `keep()`
 * rejects only when the row cannot be kept either (disk failure): then, and only
 * then, a row is lost, and it is counted.
 *
 * Replays run in the background: when the breaker closes, after a deferral,
 * at start, and on a timer while anything waits; a replay also serves as the
 * half-open probe. See docs/decisions/0004-audit-outbox.md.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AuditSinkConfig } from '../config.js';
import { createCircuitBreaker } from '../lib/circuit-breaker.js';
import { deadline, DeadlineError } from '../lib/deadline.js';
import type { AuditRow, AuditStore } from './audit-store.js';
import { AuditWriterClosedError, createAuditWriter, type AuditWriterOptions } from './audit-writer.js';
import { storedForm } from './content-redaction.js';
import type { AuditHealth, AuditOutcome, Deferral, DurableAuditSink, DurableAuditSinkOptions } from './audit-sink.js';
import { openOutbox, type AuditOutbox, type ReplayReport } from './outbox.js';
import { registerBatchMetrics, registerSinkMetrics } from './sink-metrics.js';

const RETRY_WHILE_CLOSED_MS = 1_000;
const FINAL_REPLAY_MS = 3_000;

export function createDurableAuditSink(options: DurableAuditSinkOptions): DurableAuditSink {
  const { writer, store, outbox, logger } = options;
  const replayTimeoutMs = options.replayTimeoutMs ?? 10_000;
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;
  let closing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let replaying: Promise<ReplayReport | undefined> | undefined;
  let outboxError: string | undefined;
  // Rejected by close(): a replay stuck on a hung database must not hold the shutdown for its full timeout.
  let stopReplays!: (reason: Error) => void;
  const stopped = new Promise<never>((_, reject) => (stopReplays = reject));
  stopped.catch(() => undefined);

  const breaker = createCircuitBreaker({
    failureThreshold: options.breakerThreshold,
    resetTimeoutMs: options.breakerResetMs,
    onStateChange(to, from) {
      if (to === 'open') logger.warn({ from, outbox_rows: outbox.pending() }, 'audit circuit breaker open: audit rows go to the local outbox');
      else logger.info({ from, to, outbox_rows: outbox.pending() }, `audit circuit breaker ${to}`);
      if (to === 'closed') schedule(0);
    },
  });
  const metrics = options.registry ? registerSinkMetrics(options.registry, breaker, outbox) : undefined;

  /** One recovery timer at most; unref'd so that it never keeps a process alive. */
  function schedule(delayMs: number): void {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void recover();
    }, delayMs);
    timer.unref();
  }

  function nextDelay(): number {
    if (breaker.state === 'open') return breaker.msUntilProbe() + 10;
    return Math.min(options.breakerResetMs, RETRY_WHILE_CLOSED_MS);
  }

  async function recover(): Promise<void> {
    if (closed) return;
    if (outbox.pending() > 0) await replay();
    else if (breaker.state !== 'closed') await probe();
    if (outbox.pending() > 0 || breaker.state !== 'closed') schedule(nextDelay());
  }

  /** Half-open with nothing to replay: ask the database itself. */
  async function probe(): Promise<void> {
    if (!breaker.tryAcquire()) return;
    try {
      if (options.ping) await deadline(options.ping(), options.writeTimeoutMs, 'the audit store probe');
      breaker.recordSuccess();
    } catch (error) {
      breaker.recordFailure();
      logger.debug({ err: error }, 'audit store probe failed');
    }
  }

  function replay(): Promise<ReplayReport | undefined> {
    if (replaying) return replaying;
    if (outbox.pending() === 0 || !breaker.tryAcquire()) return Promise.resolve(undefined);
    replaying = replayOutbox().finally(() => {
      replaying = undefined;
    });
    return replaying;
  }

  async function replayOutbox(): Promise<ReplayReport | undefined> {
    try {
      const insert = (rows: AuditRow[]) => Promise.race([deadline(store.insertMany(rows).then(() => undefined), replayTimeoutMs, 'an audit outbox replay'), stopped]);
      const report = await outbox.replay(insert);
      breaker.recordSuccess();
      metrics?.replayed.inc(report.rows);
      if (report.rows > 0 || report.skipped > 0) logger.info({ ...report, outbox_rows: outbox.pending() }, 'audit outbox replayed');
      return report;
    } catch (error) {
      breaker.recordFailure();
      logger.warn({ err: error, outbox_rows: outbox.pending() }, 'audit outbox replay failed; it will be retried');
      return undefined;
    }
  }

  async function appendRow(row: AuditRow): Promise<AuditOutcome> {
    if (!breaker.tryAcquire()) return deferred('breaker-open');
    try {
      await deadline(writer.append(row), options.writeTimeoutMs, 'the audit write');
    } catch (error) {
      breaker.recordFailure();
      logger.debug({ err: error, request_id: row.request_id }, 'audit write failed; the row goes to the outbox');
      return deferred(error instanceof DeadlineError ? 'write-timeout' : 'write-failed');
    }
    breaker.recordSuccess();
    return { status: 'committed' };
  }

  function deferred(reason: Deferral['reason']): AuditOutcome {
    return { status: 'deferred', reason, breaker: breaker.state };
  }

  async function keepRow(row: AuditRow, deferral: Deferral): Promise<void> {
    try {
      await outbox.append(row);
    } catch (error) {
      outboxError = (error as Error).message;
      metrics?.lost.inc();
      logger.error({ err: error, request_id: row.request_id }, 'audit row lost: neither committed nor kept in the outbox');
      throw error;
    }
    outboxError = undefined;
    metrics?.deferred.inc({ reason: deferral.reason });
    schedule(nextDelay());
  }

  /** Runs `work` counted as in flight, so that close() waits for it. */
  function tracked<T>(work: Promise<T>): Promise<T> {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  /** Until nothing is in flight: a keep may start while close() waits for the append it follows. */
  async function settled(): Promise<void> {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  }

  async function close(): Promise<void> {
    closed = true;
    clearTimeout(timer);
    await settled();
    // Rows handed to the writer were either committed or are in the outbox by now: do not wait long for stragglers.
    await deadline(writer.close(), options.writeTimeoutMs, 'closing the audit writer').catch(() => undefined);
    // Best effort: leave an empty outbox behind when the database is healthy (an instance may not come back).
    if (outbox.pending() > 0 && breaker.state === 'closed') await deadline(replay(), FINAL_REPLAY_MS, 'the final replay').catch(() => undefined);
    stopReplays(new Error('the audit sink is closing'));
    await settled();
    await outbox.close();
  }

  // Rows left by an earlier run (a crash, or a database that was down at shutdown): replay at start.
  if (outbox.pending() > 0) schedule(0);

  return {
    breaker,
    // Both ways a row is written (database, outbox) get its stored form: no text of the content when that is off.
    append(row) {
      if (closed) return Promise.reject(new AuditWriterClosedError());
      return tracked(appendRow(storedForm(row)));
    },
    // Accepted while closing: it finishes an append that was accepted before.
    keep: (row, deferral) => tracked(keepRow(storedForm(row), deferral)),
    async flush() {
      await writer.flush();
      await settled();
    },
    close() {
      closing ??= close();
      return closing;
    },
    health() {
      const snapshot = breaker.snapshot();
      const health: AuditHealth = {
        ok: outboxError === undefined,
        breaker: snapshot.state,
        consecutive_failures: snapshot.consecutive_failures,
        outbox_rows: outbox.pending(),
      };
      if (outboxError !== undefined) health.outbox_error = outboxError;
      return health;
    },
    replay,
  };
}

/**
 * The production composition: group-commit writer over `store`, the outbox opened (and locked)
 * in `sink.outboxDir`, rows left there by an earlier run replayed in the background at once.
 */
export async function openDurableAuditSink(deps: {
  store: Pick<AuditStore, 'insertMany'>;
  writer: AuditWriterOptions;
  sink: AuditSinkConfig;
  logger: DurableAuditSinkOptions['logger'];
  registry?: Registry;
  ping?: () => Promise<unknown>;
}): Promise<DurableAuditSink> {
  const { logger } = deps;
  const outbox = await openOutbox({
    dir: deps.sink.outboxDir,
    onDamage: (info) => logger.warn(info, 'audit outbox: skipped lines that were torn or corrupt'),
  });
  if (outbox.pending() > 0) logger.warn({ outbox_rows: outbox.pending(), dir: outbox.dir }, 'audit outbox holds rows from an earlier run: replaying them');
  const observe = deps.registry ? registerBatchMetrics(deps.registry) : undefined;
  return createDurableAuditSink({
    writer: createAuditWriter(deps.store, { ...deps.writer, observe }),
    store: deps.store,
    outbox,
    breakerThreshold: deps.sink.breakerThreshold,
    breakerResetMs: deps.sink.breakerResetMs,
    writeTimeoutMs: deps.sink.writeTimeoutMs,
    ping: deps.ping,
    logger,
    registry: deps.registry,
  });
}
