import { Router } from 'express';
import { callerOf, requireRole } from '../auth/auth-middleware.js';
import { PinRequest, StageParams } from '../../contract/schemas/stages.js';
import { validateBody, validateText } from '../http/validate.js';
import type { StageChange } from './stage-store.js';
import type { StageService, StageView } from './stage-service.js';

export function createStagesRouter(stages: StageService): Router {
  const router = Router();

  router.get('/v1/stages', requireRole('evaluator'), async (_req, res) => {
    const { items, caps } = await stages.list();
    res.json({ items: items.map(toBody), kill_switch: caps.killSwitch, mode_ceiling: caps.ceiling });
  });

  router.put('/v1/stages/:stage', requireRole('admin'), async (req, res) => {
    const { stage } = validateText(StageParams, req.params, 'params');
    const body = validateBody(PinRequest, req.body);
    const result = await stages.pin(stage, body, callerOf(res).label);
    res.status(result.created ? 201 : 200).json(toBody(result.stage));
  });

  router.get('/v1/stages/:stage/history', requireRole('evaluator'), async (req, res) => {
    const { stage } = validateText(StageParams, req.params, 'params');
    res.json({ stage, items: (await stages.history(stage)).map(changeBody) });
  });

  return router;
}

function toBody(s: StageView) {
  return {
    stage: s.stage,
    pack: s.pack_id,
    version: s.version,
    mode: s.mode,
    effective_mode: s.effective_mode,
    shadow: s.shadow ?? null,
    updated_at: s.updated_at.toISOString(),
    updated_by: s.updated_by,
  };
}

function changeBody(c: StageChange) {
  const target = (t: StageChange['to']) => ({ pack: t.pack_id, version: t.version, mode: t.mode, ...(t.shadow ? { shadow: t.shadow } : {}) });
  return { changed_at: c.changed_at.toISOString(), changed_by: c.changed_by, from: c.from ? target(c.from) : null, to: target(c.to) };
}
