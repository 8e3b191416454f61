import { Router } from 'express';
import { requireRole } from '../auth/auth-middleware.js';
import { VerifyRequest } from '../../contract/schemas/receipts.js';
import { validateBody } from '../http/validate.js';
import { JWKS_MAX_AGE_SECONDS, JWKS_STALE_IF_ERROR_SECONDS } from './key-rotation.js';
import type { ReceiptService } from './receipts.js';

/** Public: the keys that verify receipts offline, each with its status, and the revoked ones. */
export function createJwksRouter(receipts: ReceiptService): Router {
  const router = Router();
  router.get('/.well-known/jwks.json', async (_req, res) => {
    // Short, so that a revocation reaches offline verifiers within a minute (the client's key cache honours it);
    // stale-if-error lets a verifier that cannot reach gatehouse keep its keys a while before it fails closed.
    res.setHeader('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}, stale-if-error=${JWKS_STALE_IF_ERROR_SECONDS}`);
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
