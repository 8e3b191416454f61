/**
 * Readiness: the database answers within a short timeout, the packs have been loaded, and audit
 * rows can be kept (committed, or in the local outbox). The audit check also shows the circuit
 * breaker's state and the outbox backlog; an open breaker alone does not make the instance
 * unready, since evaluations still answer (see docs/decisions/0004-audit-outbox.md).
 */
import type { Knex } from 'knex';
import { deadline } from '../lib/deadline.js';
import { safeMessage } from '../lib/redact.js';
import type { PackLoadReport } from '../packs/pack-registry.js';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean } & Record<string, unknown>>;
}

export type Readiness = () => Promise<ReadinessReport>;

export function createReadiness(deps: {
  knex: Knex;
  packs: () => PackLoadReport;
  audit?: () => { ok: boolean } & Record<string, unknown>;
  /** Each pinned stage this instance can serve; a stage it fails closed on makes it unready (docs/rollout.md#fleet). */
  stages?: () => { ok: boolean } & Record<string, unknown>;
  timeoutMs?: number;
}): Readiness {
  const timeoutMs = deps.timeoutMs ?? 1_000;
  return async () => {
    const database = await pingDatabase(deps.knex, timeoutMs);
    const report = deps.packs();
    const packs = {
      ok: report.loaded,
      published: report.published.length,
      unchanged: report.unchanged.length,
      conflicts: report.conflicts,
      errors: report.errors.length,
    };
    const audit = deps.audit?.();
    const stages = deps.stages?.();
    return {
      ready: database.ok && packs.ok && (audit?.ok ?? true) && (stages?.ok ?? true),
      checks: { database, packs, ...(audit ? { audit } : {}), ...(stages ? { stages } : {}) },
    };
  };
}

async function pingDatabase(knex: Knex, timeoutMs: number): Promise<{ ok: boolean; latency_ms?: number; error?: string }> {
  const started = Date.now();
  try {
    await deadline(knex.raw('select 1'), timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
    return { ok: true, latency_ms: Date.now() - started };
  } catch (error) {
    // The driver's message only: never a connection string.
    return { ok: false, error: safeMessage(error) };
  }
}
