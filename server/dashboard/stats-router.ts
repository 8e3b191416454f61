/** GET /v1/dashboard/stats (admin): the Readiness charts' figures, see decision-stats.ts. */
import { Router } from 'express';
import { requireRole } from '../auth/auth-middleware.js';
import { AppError } from '../errors.js';
import { StatsQueryParams } from '../../contract/schemas/dashboard.js';
import { validateText } from '../http/validate.js';
import type { DecisionStats, StatsQuery } from '../audit/decision-stats.js';

const MAX_WINDOW_MS = 90 * 86_400_000;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function createStatsRouter(stats: (q: StatsQuery) => Promise<DecisionStats>): Router {
  const router = Router();
  router.get('/v1/dashboard/stats', requireRole('admin'), async (req, res) => {
    const q = validateText(StatsQueryParams, req.query, 'query');
    const span = windowMs(q.window);
    const to = q.to === undefined ? alignedNow(span / q.buckets) : new Date(q.to);
    const from = new Date(to.getTime() - span);
    res.json({ window: q.window, ...(await stats({ stage: q.stage, from, to, buckets: q.buckets })) });
  });
  return router;
}

/** Now, rounded up to a whole bucket: bucket edges fall on round times (every 3 h: 00:00, 03:00, …), not on the second of the request. */
function alignedNow(bucketMs: number): Date {
  const step = bucketMs % 60_000 === 0 ? bucketMs : 60_000;
  return new Date(Math.ceil(Date.now() / step) * step);
}

export function windowMs(window: string): number {
  const unit = window.at(-1) as keyof typeof UNIT_MS;
  const ms = Number(window.slice(0, -1)) * UNIT_MS[unit];
  if (!(ms > 0) || ms > MAX_WINDOW_MS) {
    throw new AppError('INVALID_REQUEST', `window ${window} is longer than 90 days.`, { details: [{ path: 'window', message: 'at most 90d' }] });
  }
  return ms;
}
