/**
 * POST /v1/evaluate, end to end: stage pin → effective mode → compiled pack →
 * engine (off the event loop, time-limited: engine-workers.ts) → decision body → audit row committed → only then a
 * signed receipt → the onDecision listeners. A decision is always an answer,
 * never an HTTP error; nothing here is called back by what it calls.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { evaluate as engineEvaluate } from '../../engine/index.js';
import { contentFingerprint, type ContentFingerprint } from '../../contract/content-hash.js';
import { decisionSummary } from '../../contract/decision-summary.js';
import { effectiveMode, type ModeCaps } from '../../contract/modes.js';
import type { DecisionBody, EvaluateRequestBody, EvaluateResponseBody } from '../../contract/schemas/evaluations.js';
import type { AuditOutcome, AuditSink } from '../audit/audit-sink.js';
import type { AuditRow, AuditStore } from '../audit/audit-store.js';
import type { Caller } from '../auth/api-keys.js';
import type { Limits } from '../config.js';
import { AppError } from '../errors.js';
import type { PackRegistry } from '../packs/pack-registry.js';
import type { ReceiptService } from '../receipts/receipts.js';
import type { StageStore } from '../stages/stage-store.js';
import { auditRow, receiptFacts, rowAsAnswered } from './audit-row.js';
import type { DecisionListener } from './decided.js';
import { inlineRunner, type EngineRunner } from './engine-runner.js';
import { evaluatedDecision, skippedDecision, withAuditFailure, type DecisionContext } from './decision-body.js';

export interface EvaluationServiceDeps {
  stages: Pick<StageStore, 'get'>;
  packs: Pick<PackRegistry, 'compiled' | 'published'>;
  audit: Pick<AuditSink, 'append' | 'keep'>;
  auditStore: Pick<AuditStore, 'get'>;
  receipts: Pick<ReceiptService, 'sign'>;
  logger: Logger;
  /** Read on every request, so a kill switch thrown at runtime applies at once. */
  modeCaps: () => ModeCaps;
  limits: Limits;
  auditStoreContent: boolean;
  /** Told about every answer once it is final, in this order (metrics, event stream, shadow). */
  onDecision: readonly DecisionListener[];
  /** The engine; replaceable in tests. */
  evaluate?: typeof engineEvaluate;
  /** Where the engine runs and how its budget is enforced (engine-workers.ts); inline with `evaluate` when absent. */
  engine?: EngineRunner;
}

export interface Evaluated {
  answer: EvaluateResponseBody;
  /** Service time of the whole evaluation, receipt included (also in /metrics and the onDecision listeners). */
  latency_ms: number;
}

export interface EvaluationService {
  /** `receivedAt`: performance.now() when the request had arrived (the time budget counts from it); default now. */
  evaluate(input: EvaluateRequestBody, caller: Caller, receivedAt?: number): Promise<Evaluated>;
  /** The decision as stored in its audit row: for an admin, or for the API key that made it; NOT_FOUND to anyone else. */
  decision(requestId: string, caller: Caller): Promise<DecisionBody>;
}

export function createEvaluationService(deps: EvaluationServiceDeps): EvaluationService {
  const engine = deps.engine ?? inlineRunner(deps.evaluate ?? engineEvaluate);

  async function decide(input: EvaluateRequestBody, ctx: Omit<DecisionContext, 'policy'>, pin: { pack_id: string; version: string }, started: number) {
    if (ctx.mode === 'off') {
      const published = await deps.packs.published(pin.pack_id, pin.version);
      const body = skippedDecision({ ...ctx, policy: { pack: published.pack_id, version: published.version, hash: published.hash } }, input.content);
      return { body, platform: input.platform ?? (await packDefaultPlatform(pin)) };
    }
    const pack = await deps.packs.compiled(pin.pack_id, pin.version);
    const ms = deps.limits.evaluationTimeoutMs;
    const decided = await engine.run(pack, { content: input.content, platform: input.platform, metadata: input.metadata }, ms, started);
    const body = evaluatedDecision({ ...ctx, policy: { pack: pack.id, version: pack.version, hash: pack.hash } }, decided);
    return { body, platform: input.platform ?? pack.internal.platform };
  }

  /**
   * The platform an `off` receipt is bound to when the request names none. Pinning compiles the
   * pack, so this is a cache hit; a pack that no longer compiles (the kill switch may be on for
   * that reason) gives null, which a platform-bound posting service refuses: fail closed.
   */
  async function packDefaultPlatform(pin: { pack_id: string; version: string }): Promise<string | null> {
    return deps.packs.compiled(pin.pack_id, pin.version).then((pack) => pack.internal.platform, () => null);
  }

  /**
   * Appends the audit row. Committed: the answer with its receipt. Deferred: the answer
   * without one (withAuditFailure), and the row kept in the outbox as that answer says.
   * Neither committed nor kept: the row is lost, and the answer says so.
   */
  async function record(body: DecisionBody, row: AuditRow, content: ContentFingerprint, platform: string | null): Promise<EvaluateResponseBody> {
    let outcome: AuditOutcome;
    try {
      outcome = await deps.audit.append(row);
    } catch (error) {
      return lost(body, error);
    }
    if (outcome.status === 'committed') return { ...body, receipt: await deps.receipts.sign(receiptFacts(body, content, platform)) };
    const answer = withAuditFailure(body, outcome);
    try {
      await deps.audit.keep(rowAsAnswered(row, answer), outcome);
    } catch (error) {
      return lost(body, error);
    }
    return answer;
  }

  function lost(body: DecisionBody, error: unknown): DecisionBody {
    deps.logger.error({ err: error, request_id: body.request_id, stage: body.stage }, 'audit write failed');
    return withAuditFailure(body);
  }

  function notify(listeners: readonly DecisionListener[], decided: Parameters<DecisionListener>[0]): void {
    for (const listener of listeners) {
      try {
        listener(decided);
      } catch (error) {
        deps.logger.warn({ err: error, request_id: decided.decision.request_id }, 'a decision listener failed');
      }
    }
  }

  return {
    async evaluate(input, caller, receivedAt) {
      const started = receivedAt ?? performance.now();
      checkLimits(input.content, deps.limits);
      const pin = await deps.stages.get(input.stage);
      if (!pin) throw stageNotFound(input.stage);
      const mode = effectiveMode(pin.mode, deps.modeCaps());
      const ctx = { request_id: randomUUID(), receipt_id: randomUUID(), stage: input.stage, mode };
      const { body, platform } = await decide(input, ctx, pin, started);
      const content = contentFingerprint(input.content);
      const created_at = new Date();
      const summary = decisionSummary(body);
      const row = auditRow(body, { input, platform, content, caller, latencyMs: performance.now() - started, storeContent: deps.auditStoreContent, created_at, summary });
      const answer = await record(body, row, content, platform);
      const latency_ms = performance.now() - started;
      // The answer without its receipt: when one was added, the answer is `{ ...body, receipt }`, so
      // that is `body` itself (no rest copy per request, issue 14); otherwise the answer as it is.
      const decision: DecisionBody = answer.receipt === undefined ? answer : body;
      notify(deps.onDecision, {
        decision,
        input,
        summary: decision === body ? summary : decisionSummary(decision),
        meta: { workflow_id: input.workflow_id ?? null, agent: input.agent ?? null, created_at },
        latency_ms,
      });
      return { answer, latency_ms };
    },

    async decision(requestId, caller) {
      const row = await deps.auditStore.get(requestId);
      // Another key's decision answers as if it did not exist: its existence is not revealed either.
      if (!row || (caller.role !== 'admin' && row.caller_key_id !== caller.id)) {
        throw new AppError('NOT_FOUND', `No decision with request_id ${requestId}.`, {
          suggestedFix: 'Use the request_id of an evaluation answered to this API key, or an admin key.',
        });
      }
      return row.response as unknown as DecisionBody;
    },
  };
}

function stageNotFound(stage: string): AppError {
  return new AppError('STAGE_NOT_FOUND', `Stage "${stage}" is not pinned to a pack version.`, { details: { stage } });
}

/** Posts per request and characters per post (a string content counts as one post here). */
export function checkLimits(content: string | string[], limits: Limits): void {
  const posts = typeof content === 'string' ? [content] : content;
  if (posts.length > limits.postsPerRequest) {
    throw new AppError('PAYLOAD_TOO_LARGE', `At most ${limits.postsPerRequest} posts per request.`, {
      details: { limit: limits.postsPerRequest, posts: posts.length },
    });
  }
  const long = posts.findIndex((p) => p.length > limits.charsPerPost);
  if (long >= 0) {
    throw new AppError('PAYLOAD_TOO_LARGE', `Post ${long} is longer than ${limits.charsPerPost} characters.`, {
      details: { limit: limits.charsPerPost, post: long, length: posts[long]!.length },
    });
  }
}
