/**
 * GET /v1/reports/shadow: the figures of shadow_results (shadow-store.ts),
 * with each example's pinned side read from the audit (audit-queries.ts):
 * the findings of the codes the candidate lost and, when content storage is
 * on, the content. Evidence is masked again on the way out: whatever a writer
 * stored, no example shows raw text.
 */
import { mask } from '../../engine/mask.js';
import type { AuditQueries } from '../audit/audit-queries.js';
import type { ShadowExample, ShadowExampleRow, ShadowReport, ShadowReportQuery, ShadowStore, StoredFinding } from './shadow-store.js';

export type ShadowReporter = (q: ShadowReportQuery) => Promise<ShadowReport>;

export function createShadowReporter(deps: { shadow: Pick<ShadowStore, 'report'>; audit: Pick<AuditQueries, 'answeredFindings'> }): ShadowReporter {
  return async ({ includeContent, ...q }) => {
    const figures = await deps.shadow.report(q);
    const answered = await deps.audit.answeredFindings(
      figures.examples.map((e) => e.request_id),
      includeContent,
    );
    return {
      ...figures,
      examples: figures.examples.map((row) => {
        const pinned = answered.get(row.request_id);
        const example = toExample(row, pinned?.violations);
        if (includeContent) example.content = pinned?.content ?? null;
        return example;
      }),
    };
  };
}

function toExample(row: ShadowExampleRow, pinnedViolations: unknown): ShadowExample {
  const { shadow_violations, ...rest } = row;
  return {
    ...rest,
    evidence: [...pick(shadow_violations, row.gained, 'candidate'), ...pick(pinnedViolations, row.lost, 'pinned')],
  };
}

/** The findings of `codes`, masked, each with its side. */
function pick(findings: unknown, codes: string[], side: 'candidate' | 'pinned'): ShadowExample['evidence'] {
  return (Array.isArray(findings) ? (findings as StoredFinding[]) : [])
    .filter((f) => codes.includes(f.code))
    .map((f) => ({
      side,
      code: f.code,
      ...(typeof f.post === 'number' ? { post: f.post } : {}),
      ...(typeof f.evidence === 'string' ? { evidence: mask(f.evidence) } : {}),
    }));
}
