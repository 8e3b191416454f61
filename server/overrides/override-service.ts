/**
 * Overrides (issue 7): in enforced mode a person may let a blocked post
 * through. The override row is committed first and only then is a new
 * receipt signed (same content hash, `override: true`, with the override's
 * id, actor and reason), so no override receipt exists without its row —
 * the same order as decisions and their audit rows.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditRow, AuditStore } from '../audit/audit-store.js';
import type { Caller } from '../auth/api-keys.js';
import { AppError } from '../errors.js';
import type { OverrideBody, OverrideRequestBody } from '../../contract/schemas/overrides.js';
import { canonicalContent, contentSha256, type ContentKind } from '../../contract/content-hash.js';
import type { ReceiptService } from '../receipts/receipts.js';
import type { OverrideQuery, OverrideRecord, OverrideStore } from './override-store.js';

export interface OverrideResult extends OverrideBody {
  receipt: string;
}

export interface OverrideService {
  create(input: OverrideRequestBody, caller: Caller): Promise<OverrideResult>;
  list(q: OverrideQuery): Promise<OverrideBody[]>;
}

export interface OverrideServiceDeps {
  auditStore: Pick<AuditStore, 'get'>;
  store: OverrideStore;
  receipts: Pick<ReceiptService, 'sign'>;
  logger: Logger;
}

export function createOverrideService(deps: OverrideServiceDeps): OverrideService {
  return {
    async create(input, caller) {
      const decision = await deps.auditStore.get(input.request_id);
      if (!decision) {
        throw new AppError('NOT_FOUND', `No decision with request_id ${input.request_id}.`, {
          details: { request_id: input.request_id },
          suggestedFix: 'Use the request_id of an answered evaluation (GET /v1/audit lists them); decisions older than the retention period are archived.',
        });
      }
      assertOverridable(decision);
      const content_kind = kindOf(decision, input.content);
      const actor = input.actor.trim();
      const reason = input.reason.trim();
      const record = await deps.store.insert({
        override_id: randomUUID(),
        request_id: decision.request_id,
        overridden_receipt_id: decision.receipt_id,
        stage: decision.stage,
        mode: decision.mode,
        pack_id: decision.pack_id,
        policy_version: decision.policy_version,
        policy_hash: decision.policy_hash,
        decision: decision.decision,
        violation_codes: decision.violation_codes,
        content_sha256: decision.content_sha256,
        content_kind,
        receipt_id: randomUUID(),
        actor,
        reason,
        caller: caller.label,
      });
      // The row is the log of record; this line makes every override visible in the logs too
      // (who, why, which decision), never the content.
      deps.logger.info(
        {
          override_id: record.override_id,
          request_id: record.request_id,
          stage: record.stage,
          policy_version: record.policy_version,
          violation_codes: record.violation_codes,
          actor,
          reason,
          caller: caller.label,
        },
        'override',
      );
      const receipt = await deps.receipts.sign({
        receipt_id: record.receipt_id,
        request_id: record.request_id,
        stage: record.stage,
        // The decision's platform as recorded in its audit row: an override does not widen where it posts.
        platform: decision.platform,
        mode: record.mode,
        pack: record.pack_id,
        policy_version: record.policy_version,
        policy_hash: record.policy_hash,
        // The blocked decision as it was: the override is what lets it post, not a rewritten decision.
        decision: record.decision,
        allowed: decision.allowed,
        content_sha256: record.content_sha256,
        content_kind: record.content_kind,
        override: true,
        override_id: record.override_id,
        actor,
        reason,
        overridden_receipt_id: record.overridden_receipt_id,
      });
      return { ...toBody(record), receipt };
    },

    async list(q) {
      return (await deps.store.list(q)).map(toBody);
    },
  };
}

/** DESIGN.md: only a FAIL under enforced blocks; everything else already posts on its own receipt. */
function assertOverridable(row: AuditRow): void {
  if (row.mode === 'enforced' && row.decision === 'FAIL') return;
  const why =
    row.mode !== 'enforced'
      ? `it was decided under ${row.mode} mode, which never blocks`
      : `its decision is ${row.decision}, which is not blocked`;
  throw new AppError('OVERRIDE_NOT_APPLICABLE', `Decision ${row.request_id} cannot be overridden: ${why}.`, {
    details: { request_id: row.request_id, decision: row.decision, mode: row.mode, allowed: row.allowed },
  });
}

/**
 * The receipt's content_kind must be the blocked decision's, or the override receipt would not
 * verify against the content that is posted. It comes from the audit row; content sent with the
 * request is checked against the row and is the only source for rows written before the column.
 */
function kindOf(row: AuditRow, content: string | string[] | undefined): ContentKind {
  if (content !== undefined) {
    const kind = canonicalContent(content).kind;
    if (contentSha256(content) !== row.content_sha256 || (row.content_kind && row.content_kind !== kind)) {
      throw new AppError('INVALID_REQUEST', 'The content sent is not the content of this decision.', {
        details: [{ path: '/content', message: 'does not match the content hash (and kind) recorded for request_id' }],
        suggestedFix: 'Send the content exactly as it was evaluated (a string stays a string, a thread stays an array), or leave content out.',
      });
    }
    return kind;
  }
  if (row.content_kind) return row.content_kind;
  throw new AppError('INVALID_REQUEST', 'This decision was recorded without its content kind: send the content with the override.', {
    details: [{ path: '/content', message: 'required for this decision' }],
    suggestedFix: 'Add `content` exactly as it was evaluated; it is checked against the recorded content hash and not stored.',
  });
}

function toBody(r: OverrideRecord): OverrideBody {
  return {
    override_id: r.override_id,
    created_at: r.created_at.toISOString(),
    request_id: r.request_id,
    overridden_receipt_id: r.overridden_receipt_id,
    receipt_id: r.receipt_id,
    stage: r.stage,
    mode: r.mode,
    policy: { pack: r.pack_id, version: r.policy_version, hash: r.policy_hash },
    decision: r.decision,
    violation_codes: r.violation_codes,
    content_sha256: r.content_sha256,
    content_kind: r.content_kind,
    actor: r.actor,
    reason: r.reason,
    caller: r.caller,
  };
}
