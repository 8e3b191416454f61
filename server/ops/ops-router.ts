/** Public operational routes: health, readiness, metrics, the OpenAPI document and its rendered reference. */
import { createRequire } from 'node:module';
import path from 'node:path';
import { Router } from 'express';
import { schemaDocuments } from '../../engine/index.js';
import { AppError } from '../errors.js';
import { setHtmlCsp } from '../http/security-headers.js';
import type { Metrics } from './metrics.js';
import type { Readiness } from './readiness.js';

const require = createRequire(import.meta.url);
const SWAGGER_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const SWAGGER_FILES = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png', 'favicon-16x16.png']);

// No inline script: the page is served under HTML_CSP (script-src 'self'; http/security-headers.ts).
const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>gatehouse API reference</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

const DOCS_INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout'
});
`;

export function createOpsRouter(deps: { metrics: Metrics; readiness: Readiness; openapi: Record<string, unknown> }): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const report = await deps.readiness();
    if (!report.ready) throw new AppError('NOT_READY', 'The server is not ready.', { details: { checks: report.checks } });
    res.json({ status: 'ready', checks: report.checks });
  });

  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });

  router.get('/openapi.json', (_req, res) => {
    res.json(deps.openapi);
  });

  // The pack-file schemas at the path of their $id (https://gatehouse.dev/schemas/pack.json), so an
  // editor can be pointed at any running gatehouse; the same documents ship in engine/schema/.
  const schemas = new Map(Object.values(schemaDocuments()).map((doc) => [new URL(String(doc.$id)).pathname, doc]));
  router.get('/schemas/:file', (req, res, next) => {
    const doc = schemas.get(`/schemas/${req.params.file}`);
    if (!doc) {
      next();
      return;
    }
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.type('application/schema+json').send(JSON.stringify(doc));
  });

  router.get('/docs', (_req, res) => {
    setHtmlCsp(res);
    res.type('html').send(DOCS_HTML);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(DOCS_INIT);
  });
  router.get('/docs/assets/:file', (req, res, next) => {
    if (!SWAGGER_FILES.has(req.params.file)) {
      next();
      return;
    }
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.sendFile(path.join(SWAGGER_DIR, req.params.file));
  });

  return router;
}
