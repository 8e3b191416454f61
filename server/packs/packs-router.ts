import { Router } from 'express';
import { requireRole } from '../auth/auth-middleware.js';
import { AppError } from '../errors.js';
import { PackParams } from '../../contract/schemas/packs.js';
import { validateText } from '../http/validate.js';
import type { PackRegistry } from './pack-registry.js';
import type { PublishedPack } from './pack-store.js';

export function createPacksRouter(packs: PackRegistry): Router {
  const router = Router();

  router.get('/v1/packs', requireRole('evaluator'), async (_req, res) => {
    res.json({ items: (await packs.list()).map(toBody) });
  });

  router.get('/v1/packs/:id/versions', requireRole('evaluator'), async (req, res) => {
    const { id } = validateText(PackParams, req.params, 'params');
    const versions = await packs.versions(id);
    if (versions.length === 0) {
      throw new AppError('POLICY_VERSION_NOT_FOUND', `No published version of pack "${id}".`, { details: { pack: id } });
    }
    res.json({ pack: id, items: versions.map(toBody) });
  });

  return router;
}

function toBody(p: PublishedPack) {
  return { pack: p.pack_id, version: p.version, hash: p.hash, published_at: p.published_at.toISOString() };
}
