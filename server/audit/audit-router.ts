import { Router } from 'express';
import { callerOf, requireRole } from '../auth/auth-middleware.js';
import { AppError } from '../errors.js';
import { AgentRunRequest, AuditQuery, type AuditItemBody } from '../../contract/schemas/audit.js';
import { validateBody, validateText } from '../http/validate.js';
import type { AgentRunStore } from './agent-run-store.js';
import type { AuditRow, AuditStore } from './audit-store.js';

export function createAuditRouter(deps: { auditStore: Pick<AuditStore, 'query'>; agentRuns: AgentRunStore }): Router {
  const router = Router();

  router.get('/v1/audit', requireRole('admin'), async (req, res) => {
    const q = validateText(AuditQuery, req.query, 'query');
    const page = await deps.auditStore.query({
      ...q,
      from: q.from === undefined ? undefined : new Date(q.from),
      to: q.to === undefined ? undefined : new Date(q.to),
    });
    res.json({ items: page.rows.map(toItem), next_cursor: page.next_cursor });
  });

  router.post('/v1/agent-runs', requireRole('evaluator'), async (req, res) => {
    const run = validateBody(AgentRunRequest, req.body);
    if (run.end_ms < run.start_ms) {
      throw new AppError('INVALID_REQUEST', 'end_ms must not be before start_ms.', {
        details: [{ path: '/end_ms', message: `must be >= start_ms (${run.start_ms})` }],
      });
    }
    const stored = { ...run, failure_reason: run.failure_reason ?? null, caller: callerOf(res).label };
    await deps.agentRuns.insert(stored);
    res.status(201).json(stored);
  });

  return router;
}

/** An audit row as the API shows it: `pack` for pack_id, ISO time, no stored response body. */
function toItem(row: AuditRow): AuditItemBody {
  const { pack_id, created_at, response: _response, ...rest } = row;
  return { ...rest, pack: pack_id, created_at: created_at.toISOString() };
}
