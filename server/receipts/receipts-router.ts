import { Router } from 'express';
import { requireRole } from '../auth/auth-middleware.js';
import { VerifyRequest } from '../../contract/schemas/receipts.js';
import { validateBody } from '../http/validate.js';
import type { ReceiptService } from './receipts.js';

/** Public: the keys that verify receipts offline. */
export function createJwksRouter(receipts: ReceiptService): Router {
  const router = Router();
  router.get('/.well-known/jwks.json', async (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(await receipts.jwks());
  });
  return router;
}

export function createReceiptsRouter(receipts: ReceiptService): Router {
  const router = Router();
  router.post('/v1/receipts/verify', requireRole('evaluator'), async (req, res) => {
    const { receipt, content, stage, platform } = validateBody(VerifyRequest, req.body);
    res.json(await receipts.verify(receipt, content, { stage, platform }));
  });
  return router;
}
