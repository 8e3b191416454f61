/**
 * The composition root, the one place where gatehouse is wired: every store,
 * then the services, then the routers, handed to createApp. main.ts calls it
 * with the real database; tests call it with their own and may replace a
 * store (a failing audit store), the engine, the clock or add listeners.
 */
import type { Express } from 'express';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { evaluate as engineEvaluate } from '../engine/index.js';
import { createApp } from './app.js';
import { createAuditRouter } from './audit/audit-router.js';
import type { DurableAuditSink } from './audit/audit-sink.js';
import { openDurableAuditSink } from './audit/durable-audit-sink.js';
import { createHeadWitness } from './audit/head-witness.js';
import { bootstrapKeys, KEY_RELOAD_MS } from './auth/api-keys.js';
import type { Config } from './config.js';
import { createEventStreams, type EventStreams } from './dashboard/events-router.js';
import { createStaticRouter } from './dashboard/static-router.js';
import { createStatsRouter } from './dashboard/stats-router.js';
import type { DecisionListener } from './evaluations/decided.js';
import { createEvaluationService } from './evaluations/evaluation-service.js';
import { createEvaluationsRouter } from './evaluations/evaluations-router.js';
import { inlineRunner } from './evaluations/engine-runner.js';
import { createEngineWorkers, type EngineWorkers } from './evaluations/engine-workers.js';
import { countHttpRequests } from './ops/http-metrics.js';
import { countDecisions, createMetrics, type Metrics } from './ops/metrics.js';
import { buildOpenApi } from './ops/openapi.js';
import { createOpsRouter } from './ops/ops-router.js';
import { createReadiness } from './ops/readiness.js';
import { createOverrideService } from './overrides/override-service.js';
import { createOverridesRouter } from './overrides/overrides-router.js';
import { createPackRegistry, type PackRegistry } from './packs/pack-registry.js';
import { createPackCache } from './packs/pack-cache.js';
import { createPacksRouter } from './packs/packs-router.js';
import { createJwksRouter, createReceiptsRouter } from './receipts/receipts-router.js';
import { createReceiptService, type ReceiptService } from './receipts/receipts.js';
import { createReadinessReporter } from './reports/readiness-report.js';
import { createReadinessRouter } from './reports/readiness-router.js';
import { createInProcessBus, createPostgresBus, type ChangeBus } from './rollout/change-bus.js';
import { createFleetReporter, describeInstance, newInstanceId, type FleetReporter } from './rollout/fleet-reporter.js';
import { createFleetService } from './rollout/fleet-service.js';
import { createKillSwitchService } from './rollout/kill-switch-service.js';
import { createRolloutRouter } from './rollout/rollout-router.js';
import { createRolloutState, type RolloutState } from './rollout/rollout-state.js';
import { createShadowReporter } from './rollout/shadow-report.js';
import { createShadowRunner, type ShadowRunner } from './rollout/shadow-runner.js';
import { stagesReadiness } from './rollout/stages-readiness.js';
import { snapshotFirst, withLastKnownPins } from './stages/last-known-pins.js';
import { createStageService } from './stages/stage-service.js';
import { createStagesRouter } from './stages/stages-router.js';
import { createStores, snapshotOf, type Stores } from './stores.js';

export interface GatehouseDeps {
  config: Config;
  logger: Logger;
  knex: Knex;
  /** Replace single stores (tests). */
  stores?: Partial<Stores>;
  /** Replace the engine (tests). */
  evaluate?: typeof engineEvaluate;
  /** Receipt clock (tests). */
  now?: () => Date;
  /** More onDecision listeners, after the metrics, the event stream and shadow evaluation (tests). */
  onDecision?: DecisionListener[];
  version?: string;
  /** Default metrics of the process (off in tests that build many apps). @defaultValue true */
  defaultMetrics?: boolean;
}

export interface Gatehouse {
  app: Express;
  stores: Stores;
  metrics: Metrics;
  packs: PackRegistry;
  receipts: ReceiptService;
  audit: DurableAuditSink;
  /** The admin dashboard's event streams; `closeAll()` ends them before a shutdown. */
  dashboard: { streams: Pick<EventStreams, 'count' | 'closeAll'> };
  /** Pins and kill switch snapshot, fleet attestation, shadow evaluation. */
  rollout: { instanceId: string; state: RolloutState; shadow: ShadowRunner; fleet: FleetReporter };
  /** Long posts are evaluated in these worker threads under a hard deadline; `warm()` compiles packs in them ahead of use. */
  engine: EngineWorkers;
  /**
   * Compiles, in the engine workers, the packs pinned to stages (shadow candidates too) and the rules
   * folder's, and again whenever the pins change, so that no long post waits for a compile (serve).
   */
  warmEngine(): Promise<void>;
  /** Set only on the start that generated the first admin key; print it once. */
  generatedAdminKey?: string;
  /** Stops the rollout's background work and flushes the audit sink; the caller closes the database. */
  close(): Promise<void>;
}

export async function createGatehouse(deps: GatehouseDeps): Promise<Gatehouse> {
  const { config, logger, knex } = deps;
  const version = deps.version ?? '0.0.0';

  // ---- Stores: one owner per table (server/stores.ts) ----
  const stores = { ...createStores(knex), ...deps.stores };
  const metrics = createMetrics({ defaultMetrics: deps.defaultMetrics });

  // ---- Services ----
  const { authenticator, generatedAdminKey } = await bootstrapKeys(stores.keys, config.apiKeys);
  // Keys created or revoked by `gatehouse api-keys` apply within KEY_RELOAD_MS, without a restart.
  const keyReload = setInterval(() => {
    authenticator.reload().catch((error: unknown) => logger.warn({ err: error }, 'API keys: reload failed; the last keys read stay in force'));
  }, KEY_RELOAD_MS);
  keyReload.unref();
  const receipts = await createReceiptService({
    store: stores.signingKeys,
    ttlSeconds: config.receiptTtlSeconds,
    rotateAfterDays: config.receiptKeyRotateDays,
    now: deps.now,
  });
  const packCache = config.packCacheDir ? createPackCache({ dir: config.packCacheDir, logger }) : undefined;
  const packs = createPackRegistry({ store: stores.packs, rulesDir: config.rulesDir, logger, cache: packCache });
  await packs.start();
  // A test's replacement engine runs in this thread: there is nothing to send to a worker.
  const engine = createEngineWorkers({
    threads: deps.evaluate ? 0 : config.engine.threads,
    inlineChars: config.engine.inlineChars,
    inlineLimitMs: config.engine.inlineLimitMs,
    maxPosts: config.limits.postsPerRequest,
    logger,
  });
  const poolEvaluate: typeof engineEvaluate = deps.evaluate ?? ((pack, input) => engine.run(pack, input, config.limits.evaluationTimeoutMs));

  // The evaluate path reads pins and the kill switch from this in-memory snapshot, kept current
  // across instances by LISTEN/NOTIFY and a poll (docs/decisions/0005-rollout-propagation.md).
  const instanceId = newInstanceId();
  const bus: ChangeBus = config.databaseUrl
    ? createPostgresBus({ url: config.databaseUrl, knex, origin: instanceId, logger })
    : createInProcessBus(knex, instanceId);
  const state = createRolloutState({
    stages: stores.stages,
    killSwitch: stores.killSwitch,
    registry: packs,
    bus,
    logger,
    envCaps: { killSwitch: config.killSwitch, ceiling: config.modeCeiling },
    pollMs: config.rollout.pollMs,
  });
  const shadow = createShadowRunner({
    pin: state.pin,
    packs,
    store: stores.shadow,
    logger,
    instanceId,
    concurrency: config.rollout.shadowConcurrency,
    queueLimit: config.rollout.shadowQueue,
    timeoutMs: config.limits.evaluationTimeoutMs,
    keepEvidence: config.auditStoreContent,
    // Shadow candidates see the same hostile posts as the evaluate path: same workers, same deadline.
    evaluate: poolEvaluate,
  });
  const fleet = createFleetReporter({
    store: stores.fleet,
    logger,
    instanceId,
    intervalMs: config.rollout.fleetIntervalMs,
    describe: describeInstance({ version, modeCeiling: config.modeCeiling, pollMs: config.rollout.pollMs, state, bus, shadow, engine }),
  });
  const closeRollout = async () => {
    // Shadow results and the fleet's "stopped" mark are written before the audit sink closes.
    await shadow.close();
    await state.close();
    await fleet.close();
  };
  // Heads logged for `audit verify --heads`: watching before the sink opens, so an outbox replay's rows are witnessed too.
  const headWitness = createHeadWitness({ store: stores.audit, logger, intervalMs: config.auditHeadLogSeconds * 1000 });
  // Group commit behind a circuit breaker, with a durable local outbox for rows the database cannot take in time.
  let audit: DurableAuditSink;
  try {
    await state.start();
    state.onChange(() => fleet.report().catch((error: unknown) => logger.warn({ err: error }, 'fleet report after a change failed')));
    await fleet.start();
    audit = await openDurableAuditSink({
      store: stores.audit,
      writer: config.audit,
      sink: config.auditSink,
      logger,
      registry: metrics.registry,
      ping: () => knex.raw('select 1'),
    });
  } catch (error) {
    // The rollout holds a LISTEN connection that would keep a failed start alive.
    headWitness.close();
    await closeRollout().catch(() => undefined);
    throw error;
  }

  const streams = createEventStreams({ limits: { maxStreams: config.http.maxStreams, maxStreamsPerKey: config.http.maxStreamsPerKey } });
  const { writeTimeoutMs: timeoutMs, breakerThreshold, breakerResetMs } = config.auditSink;
  const evaluations = createEvaluationService({
    // The snapshot first (no database read); a stage it does not know yet is read, and while the
    // database is down or slow the last pin read for the stage keeps evaluations answering.
    stages: snapshotFirst(state.pin, withLastKnownPins(stores.stages, { timeoutMs, breakerThreshold, breakerResetMs, logger })),
    // Fails closed: a pinned version this instance cannot compile answers POLICY_VERSION_UNAVAILABLE.
    packs: state.packs,
    audit,
    auditStore: stores.audit,
    receipts,
    logger,
    modeCaps: () => state.modeCaps(),
    limits: config.limits,
    auditStoreContent: config.auditStoreContent,
    engine: deps.evaluate ? inlineRunner(deps.evaluate) : engine,
    onDecision: [countDecisions(metrics), streams.publish, shadow.submit, ...(deps.onDecision ?? [])],
  });
  const stageService = createStageService({ store: stores.stages, packs, modeCaps: () => state.modeCaps(), onPinned: () => state.changed('pins') });
  const overrides = createOverrideService({ auditStore: stores.audit, store: stores.overrides, receipts, logger });
  const readinessReport = createReadinessReporter({ snapshot: snapshotOf(knex), thresholds: config.readiness });
  const readiness = createReadiness({ knex, packs: () => packs.report(), audit: () => audit.health(), stages: () => stagesReadiness(state) });

  // ---- Routers, handed to createApp ----
  const app = createApp({
    config,
    logger,
    authenticator,
    countRequests: countHttpRequests(metrics.http),
    open: [createOpsRouter({ metrics, readiness, openapi: buildOpenApi(version) }), createJwksRouter(receipts), createStaticRouter()],
    api: [
      createEvaluationsRouter(evaluations, logger),
      createReceiptsRouter(receipts),
      createPacksRouter(packs),
      createStagesRouter(stageService),
      createAuditRouter({ auditStore: stores.audit, agentRuns: stores.agentRuns }),
      streams.router,
      createStatsRouter(stores.auditQueries.decisionStats),
      createRolloutRouter({
        killSwitch: createKillSwitchService({ store: stores.killSwitch, state }),
        fleet: createFleetService({ fleet: stores.fleet, stages: stores.stages, packs, killSwitch: stores.killSwitch }),
        shadowReport: createShadowReporter({ shadow: stores.shadow, audit: stores.auditQueries }),
        auditStoreContent: config.auditStoreContent,
      }),
      createOverridesRouter(overrides),
      createReadinessRouter(readinessReport),
    ],
  });

  let warming = false;
  const warmEngine = async () => {
    const refs = new Set([...packs.report().published, ...packs.report().unchanged]);
    for (const pin of state.serving()) {
      if (pin.status !== 'serving') continue;
      refs.add(`${pin.pack}@${pin.version}`);
      if (pin.shadow) refs.add(pin.shadow);
    }
    const compiled = await Promise.all(
      [...refs].map((ref) => {
        const at = ref.lastIndexOf('@');
        return packs.compiled(ref.slice(0, at), ref.slice(at + 1)).catch(() => undefined);
      }),
    );
    await engine.warm(compiled.filter((p) => p !== undefined));
    if (!warming) {
      warming = true;
      state.onChange(() => void warmEngine().catch((error: unknown) => logger.warn({ err: error }, 'engine workers: warming after a pin change failed')));
    }
  };

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(keyReload);
      await closeRollout();
      await audit.close();
      // After the sink's last batch, so its head is logged too.
      headWitness.close();
      await engine.close();
    })());
  return {
    app, stores, metrics, packs, receipts, audit, engine, warmEngine, generatedAdminKey, close,
    dashboard: { streams },
    rollout: { instanceId, state, shadow, fleet },
  };
}
