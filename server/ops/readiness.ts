/** Readiness: the database answers within a short timeout and the packs have been loaded. */
import type { Knex } from 'knex';
import type { PackLoadReport } from '../packs/pack-registry.js';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean } & Record<string, unknown>>;
}

export type Readiness = () => Promise<ReadinessReport>;

export function createReadiness(deps: { knex: Knex; packs: () => PackLoadReport; timeoutMs?: number }): Readiness {
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
    return { ready: database.ok && packs.ok, checks: { database, packs } };
  };
}

async function pingDatabase(knex: Knex, timeoutMs: number): Promise<{ ok: boolean; latency_ms?: number; error?: string }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      knex.raw('select 1'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, latency_ms: Date.now() - started };
  } catch (error) {
    // The driver's message only: never a connection string.
    return { ok: false, error: (error as Error).message.replace(/postgres(ql)?:\/\/\S+/g, 'postgres://…') };
  } finally {
    clearTimeout(timer);
  }
}
