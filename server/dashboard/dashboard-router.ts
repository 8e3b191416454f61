/**
 * The admin dashboard, mounted by createApp in one line: the page under
 * /dashboard (public: it holds no data until the admin signs in with a key)
 * and its two API routes, GET /v1/events and GET /v1/dashboard/stats, which
 * sit behind the /v1 key check like every other API route.
 */
import { Router } from 'express';
import type { Knex } from 'knex';
import { createDecisionStats } from './decision-stats.js';
import { createEventStreams, type EventStreams } from './events-router.js';
import { createStaticRouter } from './static-router.js';
import { createStatsRouter } from './stats-router.js';

export interface DashboardDeps {
  knex: Knex;
  /** @defaultValue 15,000 ms */
  heartbeatMs?: number;
}

export interface Dashboard {
  router: Router;
  streams: Pick<EventStreams, 'count' | 'closeAll' | 'publish'>;
}

export function createDashboard(deps: DashboardDeps): Dashboard {
  const streams = createEventStreams({ heartbeatMs: deps.heartbeatMs });
  const router = Router();
  router.use(createStaticRouter());
  router.use(streams.router);
  router.use(createStatsRouter(createDecisionStats(deps.knex)));
  return { router, streams };
}
