// GET /schemas/NAME.json: a running gatehouse serves each pack-file schema at the path of its
// $id (https://gatehouse.dev/schemas/pack.json → /schemas/pack.json), the same document as the
// copy in engine/schema/, so an editor can be pointed at any server.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { errorHandler, notFoundHandler } from '../../../server/errors.js';
import { createMetrics } from '../../../server/ops/metrics.js';
import { createOpsRouter } from '../../../server/ops/ops-router.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

function app() {
  const a = express();
  a.use(createOpsRouter({ metrics: createMetrics(), readiness: async () => ({ ready: true, checks: {} }) as never, openapi: {} }));
  a.use(notFoundHandler);
  a.use(errorHandler(pino({ enabled: false })));
  return a;
}

describe('GET /schemas/NAME.json', () => {
  it.each(['pack', 'lexicon', 'pack-test', 'phrases'])('serves %s.json at the path of its $id, as shipped in engine/schema/', async (name) => {
    const res = await request(app()).get(`/schemas/${name}.json`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/schema\+json/);
    const shipped = JSON.parse(readFileSync(path.join(ROOT, `engine/schema/${name}.schema.json`), 'utf8')) as { $id: string };
    expect(JSON.parse(res.text)).toEqual(shipped);
    expect(shipped.$id).toBe(`https://gatehouse.dev/schemas/${name}.json`);
  });

  it('answers 404 in the error shape for any other name', async () => {
    const res = await request(app()).get('/schemas/secrets.json');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});
