/**
 * The audit read model: every read of audit_events and agent_runs beyond one
 * row or one page (those are audit-store.ts's): the readiness report's
 * figures, the dashboard's stats, and the answered findings behind shadow
 * examples. With audit-store.ts, agent-run-store.ts and retention/, the only
 * code that names the audit tables (test/architecture/table-owners.test.ts).
 */
import type { Knex } from 'knex';
import { fromJson } from '../db/driver-values.js';
import { createDecisionStats, type DecisionStats, type StatsQuery } from './decision-stats.js';
import { readinessFigures, type AuditWindow, type ReadinessFigures } from './readiness-figures.js';

/** What an answered decision's audit row says, for a shadow example. */
export interface AnsweredFindings {
  /** The findings as answered (violations, then non-blocking ones). */
  violations: unknown;
  /** Only when asked for, and only when content storage kept it. */
  content?: string | null;
}

export interface AuditQueries {
  /** Figures of one stage and window for the readiness report. */
  readinessFigures(w: AuditWindow, bucketSeconds: number): Promise<ReadinessFigures>;
  /** The dashboard's Readiness charts, for one stage or all. */
  decisionStats(q: StatsQuery): Promise<DecisionStats>;
  /** The findings (and content) of the given decisions, by request_id; absent ids are left out. */
  answeredFindings(requestIds: string[], withContent: boolean): Promise<Map<string, AnsweredFindings>>;
}

export function createAuditQueries(knex: Knex): AuditQueries {
  return {
    readinessFigures: (w, bucketSeconds) => readinessFigures(knex, w, bucketSeconds),
    decisionStats: createDecisionStats(knex),
    async answeredFindings(requestIds, withContent) {
      if (requestIds.length === 0) return new Map();
      const columns = withContent ? ['request_id', 'violations', 'content'] : ['request_id', 'violations'];
      const rows = (await knex('audit_events').select(columns).whereIn('request_id', requestIds)) as Record<string, unknown>[];
      return new Map(
        rows.map((r) => [
          String(r.request_id),
          { violations: fromJson(r.violations), ...(withContent ? { content: (r.content as string | null | undefined) ?? null } : {}) },
        ]),
      );
    },
  };
}
