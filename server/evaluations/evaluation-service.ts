/**
 * POST /v1/evaluate, end to end: stage pin → effective mode → compiled pack →
 * engine (time-limited) → decision body → audit row committed → only then a
 * signed receipt. A decision is always an answer, never an HTTP error.
 */
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { evaluate as engineEvaluate } from '../../engine/index.js';
import type { AuditRow, AuditStore } from '../audit/audit-store.js';
import type { AuditSink } from '../audit/audit-writer.js';
import type { Caller } from '../auth/api-keys.js';
import type { Limits } from '../config.js';
import { AppError } from '../errors.js';
import { deadline } from '../lib/deadline.js';
import type { DecisionBody, EvaluateRequestBody, EvaluateResponseBody } from '../../contract/schemas/evaluations.js';
import type { Metrics } from '../ops/metrics.js';
import type { PackRegistry } from '../packs/pack-registry.js';
import { contentFingerprint as fingerprint, type ContentFingerprint as Fingerprint } from '../../contract/content-hash.js';
import type { ReceiptService } from '../receipts/receipts.js';
import type { StageStore } from '../stages/stage-store.js';
import { evaluatedDecision, skippedDecision, withAuditFailure, type DecisionContext } from './decision-body.js';
import { effectiveMode, type ModeCaps } from '../../contract/modes.js';

export interface EvaluationServiceDeps {
  stages: Pick<StageStore, 'get'>;
  packs: Pick<PackRegistry, 'compiled' | 'published'>;
  audit: AuditSink;
  auditStore: Pick<AuditStore, 'get'>;
  receipts: Pick<ReceiptService, 'sign'>;
  metrics: Metrics;
  decisionEvents: EventEmitter;
  logger: Logger;
  /** Read on every request, so a kill switch thrown at runtime applies at once. */
  modeCaps: () => ModeCaps;
  limits: Limits;
  auditStoreContent: boolean;
  /** The engine; replaceable in tests. */
  evaluate?: typeof engineEvaluate;
  /**
   * Given every final answer, just before it is returned (shadow evaluation). Must not throw
   * and must not block: work it starts runs after the answer is sent and cannot change it.
   */
  onAnswer?: (answer: EvaluateResponseBody, input: EvaluateRequestBody) => void;
}

export interface EvaluationService {
  evaluate(input: EvaluateRequestBody, caller: Caller): Promise<EvaluateResponseBody>;
  /** The decision as stored in its audit row. */
  decision(requestId: string): Promise<DecisionBody>;
}

export function createEvaluationService(deps: EvaluationServiceDeps): EvaluationService {
  const runEngine = deps.evaluate ?? engineEvaluate;

  async function decide(input: EvaluateRequestBody, ctx: Omit<DecisionContext, 'policy'>, pin: { pack_id: string; version: string }) {
    if (ctx.mode === 'off') {
      const published = await deps.packs.published(pin.pack_id, pin.version);
      return skippedDecision({ ...ctx, policy: { pack: published.pack_id, version: published.version, hash: published.hash } }, input.content);
    }
    const pack = await deps.packs.compiled(pin.pack_id, pin.version);
    const ms = deps.limits.evaluationTimeoutMs;
    const engine = await deadline(runEngine(pack, { content: input.content, platform: input.platform, metadata: input.metadata }), ms, () => evaluationTimeout(ms));
    return evaluatedDecision({ ...ctx, policy: { pack: pack.id, version: pack.version, hash: pack.hash } }, engine);
  }

  /**
   * Appends the audit row. Undefined once it is committed; otherwise the answer for a decision
   * without a receipt: its row kept in the durable outbox (deferred), or lost (the outbox failed too).
   */
  async function commit(body: DecisionBody, input: EvaluateRequestBody, content: Fingerprint, caller: Caller, latencyMs: number): Promise<DecisionBody | undefined> {
    const row = auditRow(body, input, content, caller, latencyMs, deps.auditStoreContent);
    let kept: DecisionBody | undefined;
    try {
      // A deferred row records what is answered: no receipt, audit_ok false, allowed false when enforced.
      const outcome = await deps.audit.append(row, (deferral) => {
        kept = withAuditFailure(body, deferral);
        return { ...row, receipt_id: null, allowed: kept.allowed, response: kept as unknown as Record<string, unknown> };
      });
      if (outcome === 'committed') return undefined;
      deps.metrics.auditWriteFailures.inc();
      return kept ?? withAuditFailure(body);
    } catch (error) {
      deps.metrics.auditWriteFailures.inc();
      deps.logger.error({ err: error, request_id: body.request_id, stage: body.stage }, 'audit write failed');
      return withAuditFailure(body);
    }
  }

  return {
    async evaluate(input, caller) {
      const started = performance.now();
      checkLimits(input.content, deps.limits);
      const pin = await deps.stages.get(input.stage);
      if (!pin) throw stageNotFound(input.stage);
      const mode = effectiveMode(pin.mode, deps.modeCaps());
      const ctx = { request_id: randomUUID(), receipt_id: randomUUID(), stage: input.stage, mode };
      const body = await decide(input, ctx, pin);
      const content = fingerprint(input.content);
      const unrecorded = await commit(body, input, content, caller, performance.now() - started);
      const answer: EvaluateResponseBody = unrecorded ?? { ...body, receipt: await deps.receipts.sign(receiptFacts(body, content)) };
      deps.metrics.decisions.inc({ stage: answer.stage, mode: answer.mode, decision: answer.decision });
      deps.metrics.evaluateDuration.observe({ mode: answer.mode }, (performance.now() - started) / 1000);
      const { receipt: _token, ...event } = answer;
      // The body has no workflow, agent or time: they travel beside it for the dashboard's event stream.
      deps.decisionEvents.emit('decision', event, { workflow_id: input.workflow_id ?? null, agent: input.agent ?? null, created_at: new Date() });
      deps.onAnswer?.(answer, input);
      return answer;
    },

    async decision(requestId) {
      const row = await deps.auditStore.get(requestId);
      if (!row) throw new AppError('NOT_FOUND', `No decision with request_id ${requestId}.`, { suggestedFix: 'Use the request_id of an answered evaluation.' });
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

/** The engine is not cancelled: it finishes in the background and its result is dropped. */
function evaluationTimeout(ms: number): AppError {
  return new AppError('EVALUATION_TIMEOUT', `The evaluation took longer than ${ms} ms.`, { details: { limit_ms: ms } });
}

function receiptFacts(body: DecisionBody, content: Fingerprint) {
  return {
    receipt_id: body.receipt_id!,
    request_id: body.request_id,
    stage: body.stage,
    mode: body.mode,
    pack: body.policy.pack,
    policy_version: body.policy.version,
    policy_hash: body.policy.hash,
    decision: body.decision,
    allowed: body.allowed,
    content_sha256: content.sha256,
    content_kind: content.kind,
  };
}

function auditRow(body: DecisionBody, input: EvaluateRequestBody, content: Fingerprint, caller: Caller, latencyMs: number, storeContent: boolean): AuditRow {
  const findings = [...body.violations, ...body.warnings.filter((w) => !body.violations.includes(w as never))];
  return {
    request_id: body.request_id,
    receipt_id: body.receipt_id,
    created_at: new Date(),
    stage: body.stage,
    mode: body.mode,
    pack_id: body.policy.pack,
    policy_version: body.policy.version,
    policy_hash: body.policy.hash,
    decision: body.decision,
    allowed: body.allowed,
    violation_codes: [...new Set(findings.map((f) => f.code))],
    violations: findings,
    content_sha256: content.sha256,
    content_size: Buffer.byteLength(content.text, 'utf8'),
    content_kind: content.kind,
    content: storeContent ? content.text : null,
    workflow_id: input.workflow_id ?? null,
    agent: input.agent ?? null,
    platform: input.platform ?? null,
    caller: caller.label,
    latency_ms: Math.round(latencyMs * 1000) / 1000,
    response: body as unknown as Record<string, unknown>,
  };
}
