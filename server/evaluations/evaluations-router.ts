import { Router } from 'express';
import type { Logger } from 'pino';
import { callerOf, requireRole } from '../auth/auth-middleware.js';
import { EvaluateRequest, RequestIdParams } from '../../contract/schemas/evaluations.js';
import { validateBody, validateText } from '../http/validate.js';
import type { EvaluationService } from './evaluation-service.js';
import { receivedAt } from '../http/connections.js';
import { requestLine } from '../http/request-log.js';
import { sendJson } from '../http/json-answer.js';

export function createEvaluationsRouter(service: EvaluationService, logger: Logger): Router {
  const router = Router();
  const logLine = requestLine(logger);

  router.post('/v1/evaluate', requireRole('evaluator'), async (req, res) => {
    const input = validateBody(EvaluateRequest, req.body);
    const { answer, latency_ms } = await service.evaluate(input, callerOf(res), receivedAt(req));
    // One structured line per decision; never the content or the receipt.
    logLine(
      req,
      { request_id: answer.request_id, stage: answer.stage, mode: answer.mode, decision: answer.decision, allowed: answer.allowed, audit_ok: answer.audit_ok, latency_ms },
      'decision',
    );
    res.setHeader('Server-Timing', `evaluate;dur=${latency_ms.toFixed(2)}`);
    sendJson(res, answer);
  });

  router.get('/v1/decisions/:request_id', requireRole('evaluator'), async (req, res) => {
    const { request_id } = validateText(RequestIdParams, req.params, 'params');
    res.json(await service.decision(request_id, callerOf(res)));
  });

  return router;
}
