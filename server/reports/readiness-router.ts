import { Router } from 'express';
import { requireRole } from '../auth/auth-middleware.js';
import { ReadinessReportQuery } from '../../contract/schemas/reports.js';
import { validateText } from '../http/validate.js';
import type { ReadinessReporter } from './readiness-report.js';

export function createReadinessRouter(report: ReadinessReporter): Router {
  const router = Router();
  router.get('/v1/reports/readiness', requireRole('admin'), async (req, res) => {
    const q = validateText(ReadinessReportQuery, req.query, 'query');
    res.json(await report({ stage: q.stage, window: q.window, until: q.until === undefined ? undefined : new Date(q.until) }));
  });
  return router;
}
