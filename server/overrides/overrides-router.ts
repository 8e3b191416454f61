import { Router } from 'express';
import { callerOf, requireRole } from '../auth/auth-middleware.js';
import { OverrideQuery, OverrideRequest } from '../../contract/schemas/overrides.js';
import { validateBody, validateText } from '../http/validate.js';
import type { OverrideService } from './override-service.js';

// Admin only: an override lets blocked content post, which is the power the admin role holds
// over pins and modes. No separate reviewer role (docs/rollout.md, Overrides).
export function createOverridesRouter(overrides: OverrideService): Router {
  const router = Router();

  router.post('/v1/overrides', requireRole('admin'), async (req, res) => {
    const body = validateBody(OverrideRequest, req.body);
    res.status(201).json(await overrides.create(body, callerOf(res)));
  });

  router.get('/v1/overrides', requireRole('admin'), async (req, res) => {
    const q = validateText(OverrideQuery, req.query, 'query');
    res.json({ items: await overrides.list(q) });
  });

  return router;
}
