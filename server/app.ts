/**
 * createApp(deps): the Express app around routers built elsewhere
 * (server/compose.ts): request ids and logging, security headers, CORS, the
 * public routes, then the key check, the rate limit and the body parser in
 * front of the API routes, and the one error handler.
 */
import { randomUUID } from 'node:crypto';
import cors from 'cors';
import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { safeErrorSerializer } from './logger.js';
import { pinoHttp } from 'pino-http';
import type { Authenticator } from './auth/api-keys.js';
import { authenticate, rateLimitPerKey } from './auth/auth-middleware.js';
import type { Config } from './config.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { rejectDeepJson } from './http/json-depth.js';

export interface AppDeps {
  config: Pick<Config, 'limits' | 'corsOrigins' | 'rateLimitPerMinute'>;
  logger: Logger;
  authenticator: Authenticator;
  /** Served without a key, in this order: health, readiness, metrics, OpenAPI, the JWKS, the dashboard's page. */
  open: Router[];
  /** The API, in this order, behind the key check, the per-key rate limit and the JSON body parser. */
  api: Router[];
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Every API answer is unique (request ids, receipts): hashing it for an ETag is pure cost.
  app.set('etag', false);
  // Plain HTTP is common inside a cluster: do not ask browsers to upgrade /docs assets to HTTPS.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        // pino-http's child logger would otherwise use the standard one, which logs error messages as they are.
        err: safeErrorSerializer,
      },
      customProps: (_req, res) => {
        const code = (res as { locals?: { errorCode?: string } }).locals?.errorCode;
        return code ? { error_code: code } : {};
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      autoLogging: { ignore: (req) => QUIET_PATHS.has(req.url ?? '') },
    }),
  );
  if (deps.config.corsOrigins.length > 0) app.use(cors({ origin: deps.config.corsOrigins }));

  // Public: no key needed.
  for (const router of deps.open) app.use(router);

  // The API: a key first (before any body is read), then its rate limit, then the body.
  app.use('/v1', authenticate(deps.authenticator), rateLimitPerKey(deps.config.rateLimitPerMinute));
  // The depth guard runs on the raw bytes before JSON.parse: see http/json-depth.ts.
  app.use(express.json({ limit: deps.config.limits.bodyBytes, strict: true, verify: rejectDeepJson() }));
  for (const router of deps.api) app.use(router);

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
