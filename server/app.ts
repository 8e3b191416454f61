/**
 * createApp(deps): the Express app around routers built elsewhere
 * (server/compose.ts): request ids and logging, security headers, CORS, the
 * public routes, then the key check, the rate limit and the body parser in
 * front of the API routes, and the one error handler.
 */
import cors from 'cors';
import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import { requestLog } from './http/request-log.js';
import type { Authenticator } from './auth/api-keys.js';
import { authenticate, rateLimitPerKey } from './auth/auth-middleware.js';
import type { Config } from './config.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { rejectDeepJson } from './http/json-depth.js';
import { securityHeaders } from './http/security-headers.js';

export interface AppDeps {
  config: Pick<Config, 'limits' | 'corsOrigins' | 'rateLimitPerMinute'>;
  logger: Logger;
  authenticator: Authenticator;
  /** Served without a key, in this order: health, readiness, metrics, OpenAPI, the JWKS, the dashboard's page. */
  open: Router[];
  /** The API, in this order, behind the key check, the per-key rate limit and the JSON body parser. */
  api: Router[];
  /** First of all: sees every answer, including those of the key check and the error handler (server/ops/http-metrics.ts). */
  countRequests?: RequestHandler;
}

const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Every API answer is unique (request ids, receipts): hashing it for an ETag is pure cost.
  app.set('etag', false);
  if (deps.countRequests) app.use(deps.countRequests);
  // helmet's defaults, computed once; CSP only on the HTML pages (http/security-headers.ts).
  app.use(securityHeaders());
  // One line per answer, and a successful evaluation's `decision` line is its only one (issue 14).
  app.use(requestLog(deps.logger, { quiet: QUIET_PATHS, ownLine: isEvaluation }));
  if (deps.config.corsOrigins.length > 0) app.use(cors({ origin: deps.config.corsOrigins }));

  // Public: no key needed. None of them serves a path under /v1/, so an API request skips them
  // all at once instead of being matched against each of their routes (issue 14).
  const open = express.Router();
  for (const router of deps.open) open.use(router);
  const openUnlessApi: RequestHandler = (req, res, next) => (isApiPath(req.url) ? next() : open(req, res, next));
  // Its routes stay visible to whoever walks the app's router stack (test/server/ops/openapi.test.ts), as a Router's are.
  app.use(Object.assign(openUnlessApi, { stack: open.stack }));

  // The API: a key first (before any body is read), then its rate limit, then the body.
  app.use('/v1', authenticate(deps.authenticator), rateLimitPerKey(deps.config.rateLimitPerMinute));
  // The depth guard runs on the raw bytes before JSON.parse: see http/json-depth.ts.
  app.use(express.json({ limit: deps.config.limits.bodyBytes, strict: true, verify: rejectDeepJson() }));
  for (const router of deps.api) app.use(router);

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}

function isApiPath(url: string): boolean {
  return url.startsWith('/v1/') || url === '/v1' || url.startsWith('/v1?');
}

function isEvaluation(req: { method?: string; url?: string }): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url ?? '';
  const query = url.indexOf('?');
  return (query < 0 ? url : url.slice(0, query)) === '/v1/evaluate';
}
