import { Router } from 'express';
import { callerOf, requireRole } from '../auth/auth-middleware.js';
import { AppError } from '../errors.js';
import { KillSwitchRequest, ShadowReportQuery } from '../../contract/schemas/rollout.js';
import { validateBody, validateText } from '../http/validate.js';
import type { FleetService } from './fleet-service.js';
import type { KillSwitchService } from './kill-switch-service.js';
import { parseShadowRef } from './shadow-ref.js';
import type { ShadowReporter } from './shadow-report.js';

export interface RolloutRouterDeps {
  killSwitch: KillSwitchService;
  fleet: FleetService;
  shadowReport: ShadowReporter;
  /** Examples may carry the stored content only when content storage is configured. */
  auditStoreContent: boolean;
}

export function createRolloutRouter(deps: RolloutRouterDeps): Router {
  const router = Router();

  router.get('/v1/kill-switch', requireRole('admin'), async (_req, res) => {
    res.json(await deps.killSwitch.get());
  });

  router.post('/v1/kill-switch', requireRole('admin'), async (req, res) => {
    const body = validateBody(KillSwitchRequest, req.body);
    res.json(await deps.killSwitch.set(body, callerOf(res)));
  });

  router.get('/v1/fleet', requireRole('admin'), async (_req, res) => {
    res.json(await deps.fleet.view());
  });

  router.get('/v1/reports/shadow', requireRole('admin'), async (req, res) => {
    const q = validateText(ShadowReportQuery, req.query, 'query');
    const from = q.from === undefined ? undefined : new Date(q.from);
    const to = q.to === undefined ? undefined : new Date(q.to);
    if (from && to && from >= to) {
      throw new AppError('INVALID_REQUEST', '`from` must be before `to`.', { details: [{ path: 'from', message: 'must be before to' }] });
    }
    res.json(
      await deps.shadowReport({
        stage: q.stage,
        from,
        to,
        candidate: q.candidate === undefined ? undefined : parseShadowRef(q.candidate),
        examples: q.examples,
        includeContent: deps.auditStoreContent,
      }),
    );
  });

  return router;
}
