/**
 * Overrides and the readiness report (issue 7): the admin routes that decide
 * a rollout step (the report) and handle its exceptions (overrides). Built
 * here so that the wiring in gatehouse.ts stays one call.
 */
import { Router } from 'express';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { AuditStore } from '../audit/audit-store.js';
import type { ReadinessThresholds } from '../config.js';
import { createOverrideService, type OverrideService } from '../overrides/override-service.js';
import { createOverrideStore, type OverrideStore } from '../overrides/override-store.js';
import { createOverridesRouter } from '../overrides/overrides-router.js';
import type { ReceiptService } from '../receipts/receipts.js';
import { createReadinessReporter, type ReadinessReporter } from '../reports/readiness-report.js';
import { createReadinessRouter } from '../reports/readiness-router.js';

export interface Governance {
  router: Router;
  overrides: OverrideService;
  readinessReport: ReadinessReporter;
}

export function createGovernance(deps: {
  knex: Knex;
  logger: Logger;
  auditStore: Pick<AuditStore, 'get'>;
  receipts: Pick<ReceiptService, 'sign'>;
  thresholds: ReadinessThresholds;
  /** Replaces the override store (tests). */
  overrideStore?: OverrideStore;
}): Governance {
  const overrides = createOverrideService({
    auditStore: deps.auditStore,
    store: deps.overrideStore ?? createOverrideStore(deps.knex),
    receipts: deps.receipts,
    logger: deps.logger,
  });
  const readinessReport = createReadinessReporter({ knex: deps.knex, thresholds: deps.thresholds });
  const router = Router();
  router.use(createOverridesRouter(overrides), createReadinessRouter(readinessReport));
  return { router, overrides, readinessReport };
}
