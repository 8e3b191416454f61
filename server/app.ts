/**
 * createApp(deps): the Express app, with everything it needs passed in, so
 * that main.ts and the tests build it the same way.
 */
import { randomUUID } from 'node:crypto';
import cors from 'cors';
import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { safeErrorSerializer } from './logger.js';
import { pinoHttp } from 'pino-http';
import { createAuditRouter } from './audit/audit-router.js';
import type { AgentRunStore } from './audit/agent-run-store.js';
import type { AuditStore } from './audit/audit-store.js';
import type { Authenticator } from './auth/api-keys.js';
import { authenticate, rateLimitPerKey } from './auth/auth-middleware.js';
import type { Config } from './config.js';
import type { Dashboard } from './dashboard/dashboard-router.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { createEvaluationsRouter } from './evaluations/evaluations-router.js';
import type { EvaluationService } from './evaluations/evaluation-service.js';
import type { Metrics } from './ops/metrics.js';
import { buildOpenApi } from './ops/openapi.js';
import { createOpsRouter } from './ops/ops-router.js';
import { rejectDeepJson } from './http/json-depth.js';
import type { Readiness } from './ops/readiness.js';
import type { PackRegistry } from './packs/pack-registry.js';
import { createPacksRouter } from './packs/packs-router.js';
import { createJwksRouter, createReceiptsRouter } from './receipts/receipts-router.js';
import type { ReceiptService } from './receipts/receipts.js';
import { createStagesRouter } from './stages/stages-router.js';
import type { StageService } from './stages/stage-service.js';

export interface AppDeps {
  config: Pick<Config, 'limits' | 'corsOrigins' | 'rateLimitPerMinute'>;
  logger: Logger;
  metrics: Metrics;
  authenticator: Authenticator;
  evaluations: EvaluationService;
  stages: StageService;
  packs: PackRegistry;
  receipts: ReceiptService;
  auditStore: Pick<AuditStore, 'query'>;
  agentRuns: AgentRunStore;
  readiness: Readiness;
  /** The admin dashboard (/dashboard, GET /v1/events, GET /v1/dashboard/stats); absent → not served. */
  dashboard?: Pick<Dashboard, 'router'>;
  /** Kill switch, fleet and shadow report routes (server/rollout/rollout-router.ts); absent → not served. */
  rollout?: Router;
  /** Overrides and the readiness report (server/governance/governance.ts); absent → not served. */
  governance?: Router;
  /** Shown in /openapi.json. */
  version?: string;
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
  app.use(createOpsRouter({ metrics: deps.metrics, readiness: deps.readiness, openapi: buildOpenApi(deps.version ?? '0.0.0') }));
  app.use(createJwksRouter(deps.receipts));

  // The API: a key first (before any body is read), then its rate limit, then the body.
  app.use('/v1', authenticate(deps.authenticator), rateLimitPerKey(deps.config.rateLimitPerMinute));
  // The depth guard runs on the raw bytes before JSON.parse: see http/json-depth.ts.
  app.use(express.json({ limit: deps.config.limits.bodyBytes, strict: true, verify: rejectDeepJson() }));
  app.use(createEvaluationsRouter(deps.evaluations));
  app.use(createReceiptsRouter(deps.receipts));
  app.use(createPacksRouter(deps.packs));
  app.use(createStagesRouter(deps.stages));
  app.use(createAuditRouter({ auditStore: deps.auditStore, agentRuns: deps.agentRuns }));
  if (deps.dashboard) app.use(deps.dashboard.router);
  if (deps.rollout) app.use(deps.rollout);
  if (deps.governance) app.use(deps.governance);

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
