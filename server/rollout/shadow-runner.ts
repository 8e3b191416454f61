/**
 * Shadow evaluation, off the request's critical path: the evaluate path hands over its final
 * answer and returns; the candidate runs later (setImmediate, after the answer is written),
 * with bounded concurrency and a bounded queue (overflow is dropped and counted, never waited
 * for). Results are buffered and written in groups to shadow_results. Nothing here can change
 * an answer: it only ever sees a copy of one that is already final.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { evaluate as engineEvaluate, type EngineDecision } from '../../engine/index.js';
import { mask } from '../../engine/mask.js';
import { deadline } from '../lib/deadline.js';
import type { DecisionBody, EvaluateRequestBody } from '../../contract/schemas/evaluations.js';
import type { Decided } from '../evaluations/decided.js';
import type { PackRegistry } from '../packs/pack-registry.js';
import type { StagePin } from '../stages/stage-store.js';
import { parseShadowRef } from './shadow-ref.js';
import type { ShadowRow, ShadowStore, StoredFinding } from './shadow-store.js';

export interface ShadowStats {
  queued: number;
  running: number;
  completed: number;
  failed: number;
  dropped: number;
}

export interface ShadowRunner {
  /** The onDecision listener. Never throws, never waits: schedules the candidate for this answer when its stage has one. */
  submit(decided: Decided): void;
  /** Resolves once everything submitted so far is evaluated and written (tests, shutdown). */
  idle(): Promise<void>;
  stats(): ShadowStats;
  /** Refuses new work, then waits for the queue. */
  close(): Promise<void>;
}

export interface ShadowRunnerDeps {
  pin(stage: string): StagePin | undefined;
  packs: Pick<PackRegistry, 'compiled'>;
  store: Pick<ShadowStore, 'insertMany'>;
  logger: Logger;
  instanceId: string;
  /** Candidates evaluated at once. @defaultValue 2 */
  concurrency: number;
  /** Evaluations waiting at most; more are dropped. @defaultValue 1,000 */
  queueLimit: number;
  timeoutMs: number;
  /** Keep the candidate's masked evidence (GATEHOUSE_AUDIT_STORE_CONTENT): with content storage off no stored row quotes the content. @defaultValue true */
  keepEvidence?: boolean;
  evaluate?: typeof engineEvaluate;
}

interface Job {
  answer: DecisionBody;
  input: EvaluateRequestBody;
  /** The answer's finding codes, sorted (decision-summary.ts). */
  codes: string[];
  shadow: { pack: string; version: string };
}

const WRITE_BATCH = 100;
const WRITE_TICK_MS = 20;

export function createShadowRunner(deps: ShadowRunnerDeps): ShadowRunner {
  const runEngine = deps.evaluate ?? engineEvaluate;
  const queue: Job[] = [];
  let running = 0;
  let closed = false;
  const stats = { completed: 0, failed: 0, dropped: 0 };
  let buffer: ShadowRow[] = [];
  let writeTimer: NodeJS.Timeout | undefined;
  const writes = new Set<Promise<void>>();
  let waiters: (() => void)[] = [];

  function pump(): void {
    while (running < deps.concurrency && queue.length > 0) {
      const job = queue.shift()!;
      running++;
      // setImmediate: the answer this job copies is written to its socket before the candidate runs.
      setImmediate(() => {
        void run(job).finally(() => {
          running--;
          pump();
          settle();
        });
      });
    }
  }

  async function run(job: Job): Promise<void> {
    const { answer, shadow } = job;
    const started = performance.now();
    let row: ShadowRow;
    try {
      const pack = await deps.packs.compiled(shadow.pack, shadow.version);
      const engine = await deadline(
        runEngine(pack, { content: job.input.content, platform: job.input.platform, metadata: job.input.metadata }),
        deps.timeoutMs,
        'the candidate',
      );
      row = { ...base(job), shadow_hash: pack.hash, shadow_decision: engine.decision === 'FAIL' ? 'FAIL' : 'PASS', ...findings(engine, deps.keepEvidence ?? true), shadow_error: null };
      stats.completed++;
    } catch (error) {
      row = { ...base(job), shadow_hash: null, shadow_decision: null, shadow_violation_codes: [], shadow_violations: [], shadow_error: String((error as Error)?.message ?? error).slice(0, 500) };
      stats.failed++;
      deps.logger.warn({ request_id: answer.request_id, candidate: `${shadow.pack}@${shadow.version}`, err: error }, 'shadow evaluation failed');
    }
    row.shadow_latency_ms = Math.round((performance.now() - started) * 1000) / 1000;
    buffer.push(row);
    if (buffer.length >= WRITE_BATCH) flushWrites();
    else writeTimer ??= setTimeout(flushWrites, WRITE_TICK_MS);
  }

  function base(job: Job): Omit<ShadowRow, 'shadow_hash' | 'shadow_decision' | 'shadow_violation_codes' | 'shadow_violations' | 'shadow_error'> {
    const a = job.answer;
    return {
      request_id: a.request_id,
      stage: a.stage,
      mode: a.mode,
      pack_id: a.policy.pack,
      policy_version: a.policy.version,
      policy_hash: a.policy.hash,
      decision: a.decision === 'FAIL' ? 'FAIL' : 'PASS',
      violation_codes: job.codes,
      shadow_pack_id: job.shadow.pack,
      shadow_version: job.shadow.version,
      shadow_latency_ms: null,
      instance_id: deps.instanceId,
    };
  }

  function flushWrites(): void {
    clearTimeout(writeTimer);
    writeTimer = undefined;
    if (buffer.length === 0) return;
    const rows = buffer;
    buffer = [];
    const write = deps.store
      .insertMany(rows)
      .catch((error: unknown) => deps.logger.error({ err: error, rows: rows.length }, 'could not store shadow results'))
      .finally(() => {
        writes.delete(write);
        settle();
      });
    writes.add(write);
  }

  function isIdle(): boolean {
    return queue.length === 0 && running === 0 && buffer.length === 0 && writes.size === 0;
  }

  function settle(): void {
    if (queue.length === 0 && running === 0 && buffer.length > 0 && writes.size === 0) flushWrites();
    if (!isIdle()) return;
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  }

  return {
    submit({ decision: answer, input, summary }) {
      try {
        // SKIPPED (off) has no decision to compare; without an audit row there is no record to attach it to.
        if (closed || answer.decision === 'SKIPPED' || !answer.audit_ok) return;
        const pinned = deps.pin(answer.stage);
        const shadow = pinned?.shadow ? parseShadowRef(pinned.shadow) : undefined;
        if (!shadow) return;
        if (queue.length >= deps.queueLimit) {
          stats.dropped++;
          if (stats.dropped === 1 || stats.dropped % 1000 === 0) deps.logger.warn({ dropped: stats.dropped }, 'shadow queue full: candidate evaluations dropped');
          return;
        }
        queue.push({ answer, input, codes: [...summary.finding_codes].sort(), shadow });
        pump();
      } catch (error) {
        deps.logger.warn({ err: error }, 'shadow submit failed');
      }
    },

    idle() {
      if (queue.length === 0 && running === 0) flushWrites();
      if (isIdle()) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push(resolve));
    },

    stats: () => ({ queued: queue.length, running, ...stats }),

    async close() {
      closed = true;
      await this.idle();
    },
  };
}

function findings(engine: EngineDecision, keepEvidence: boolean): { shadow_violation_codes: string[]; shadow_violations: StoredFinding[] } {
  const all = [...engine.violations, ...engine.warnings];
  return {
    shadow_violation_codes: [...new Set(all.map((f) => f.code))].sort(),
    shadow_violations: all.map((f) => ({
      code: f.code,
      check: f.check,
      severity: f.severity,
      post: f.post,
      ...(f.evidence === undefined || !keepEvidence ? {} : { evidence: mask(f.evidence) }),
    })),
  };
}
