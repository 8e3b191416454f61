/**
 * Wiring, in one place: stores → services → createApp. main.ts calls it with
 * the real database; tests call it with their own database and may replace
 * a store (a failing audit store) or the engine.
 */
import type { Express } from 'express';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { createAgentRunStore, type AgentRunStore } from './audit/agent-run-store.js';
import { createAuditStore, type AuditStore } from './audit/audit-store.js';
import type { DurableAuditSink } from './audit/audit-sink.js';
import { openDurableAuditSink } from './audit/durable-audit-sink.js';
import { bootstrapKeys } from './auth/api-keys.js';
import { createKeyStore, type KeyStore } from './auth/key-store.js';
import type { Config } from './config.js';
import { createDashboard, type Dashboard } from './dashboard/dashboard-router.js';
import type { DecisionListener } from './evaluations/decided.js';
import { createEvaluationService, type EvaluationServiceDeps } from './evaluations/evaluation-service.js';
import { createGovernance } from './governance/governance.js';
import type { ModeCaps } from '../contract/modes.js';
import { countDecisions, createMetrics, type Metrics } from './ops/metrics.js';
import { createReadiness } from './ops/readiness.js';
import { createPackRegistry, type PackRegistry } from './packs/pack-registry.js';
import { createPackStore, type PackStore } from './packs/pack-store.js';
import { createReceiptService, type ReceiptService } from './receipts/receipts.js';
import { createRollout, type Rollout } from './rollout/rollout.js';
import { createSigningKeyStore, type SigningKeyStore } from './receipts/signing-key-store.js';
import { snapshotFirst, withLastKnownPins } from './stages/last-known-pins.js';
import { createStageService } from './stages/stage-service.js';
import { createStageStore, type StageStore } from './stages/stage-store.js';

export interface Stores {
  audit: AuditStore;
  agentRuns: AgentRunStore;
  packs: PackStore;
  stages: StageStore;
  keys: KeyStore;
  signingKeys: SigningKeyStore;
}

export function createStores(knex: Knex): Stores {
  return {
    audit: createAuditStore(knex),
    agentRuns: createAgentRunStore(knex),
    packs: createPackStore(knex),
    stages: createStageStore(knex),
    keys: createKeyStore(knex),
    signingKeys: createSigningKeyStore(knex),
  };
}

export interface GatehouseDeps {
  config: Config;
  logger: Logger;
  knex: Knex;
  /** Replace single stores (tests). */
  stores?: Partial<Stores>;
  /** More onDecision listeners, after the metrics, the event stream and shadow evaluation (tests). */
  onDecision?: DecisionListener[];
  /** Replace the engine (tests). */
  evaluate?: EvaluationServiceDeps['evaluate'];
  /** Receipt clock (tests). */
  now?: () => Date;
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
  auditWriter: DurableAuditSink;
  /** The admin dashboard; `dashboard.streams.closeAll()` ends its event streams before a shutdown. */
  dashboard: Dashboard;
  /** Pins and kill switch snapshot, fleet attestation, shadow evaluation. */
  rollout: Rollout;
  /** Set only on the start that generated the first admin key; print it once. */
  generatedAdminKey?: string;
  /** Flushes the audit writer; the caller closes the database. */
  close(): Promise<void>;
}

export async function createGatehouse(deps: GatehouseDeps): Promise<Gatehouse> {
  const { config, logger } = deps;
  const stores = { ...createStores(deps.knex), ...deps.stores };
  const metrics = createMetrics({ defaultMetrics: deps.defaultMetrics });
  // Env kill switch and ceiling, plus the API kill switch from the rollout snapshot; read on every request.
  const modeCaps = (): ModeCaps => rollout.state.modeCaps();

  const { authenticator, generatedAdminKey } = await bootstrapKeys(stores.keys, config.apiKeys);
  const receipts = await createReceiptService({
    store: stores.signingKeys,
    ttlSeconds: config.receiptTtlSeconds,
    rotateAfterDays: config.receiptKeyRotateDays,
    now: deps.now,
  });
  const packs = createPackRegistry({ store: stores.packs, rulesDir: config.rulesDir, logger });
  await packs.start();
  // The evaluate path reads pins and the kill switch from this in-memory snapshot, kept current
  // across instances by LISTEN/NOTIFY and a poll (docs/decisions/0005-rollout-propagation.md).
  const rollout = await createRollout({
    config,
    knex: deps.knex,
    logger,
    stages: stores.stages,
    registry: packs,
    version: deps.version ?? '0.0.0',
    evaluate: deps.evaluate,
  });
  // Group commit behind a circuit breaker, with a durable local outbox for rows the database cannot take in time.
  const auditWriter = await openDurableAuditSink({
    store: stores.audit,
    writer: config.audit,
    sink: config.auditSink,
    logger,
    registry: metrics.registry,
    ping: () => deps.knex.raw('select 1'),
  }).catch(async (error: unknown) => {
    // The rollout holds a LISTEN connection that would keep a failed start alive.
    await rollout.close();
    throw error;
  });
  const { writeTimeoutMs: timeoutMs, breakerThreshold, breakerResetMs } = config.auditSink;
  const dashboard = createDashboard({ knex: deps.knex });

  const evaluations = createEvaluationService({
    // Evaluations keep answering from the last known pins while the database is down or slow.
    // The snapshot first (no database read); a stage it does not know yet (pinned elsewhere a moment ago) is read.
    stages: snapshotFirst(rollout.state.pin, withLastKnownPins(stores.stages, { timeoutMs, breakerThreshold, breakerResetMs, logger })),
    // Fails closed: a pinned version this instance cannot compile answers POLICY_VERSION_UNAVAILABLE.
    packs: rollout.state.packs,
    audit: auditWriter,
    auditStore: stores.audit,
    receipts,
    logger,
    modeCaps,
    limits: config.limits,
    auditStoreContent: config.auditStoreContent,
    evaluate: deps.evaluate,
    onDecision: [countDecisions(metrics), (d) => dashboard.streams.publish(d), (d) => rollout.shadow.submit(d), ...(deps.onDecision ?? [])],
  });
  const governance = createGovernance({ knex: deps.knex, logger, auditStore: stores.audit, receipts, thresholds: config.readiness });
  const app = createApp({
    config,
    logger,
    metrics,
    authenticator,
    evaluations,
    stages: createStageService({ store: stores.stages, packs, modeCaps, onPinned: () => rollout.state.changed('pins') }),
    packs,
    receipts,
    auditStore: stores.audit,
    agentRuns: stores.agentRuns,
    readiness: createReadiness({ knex: deps.knex, packs: () => packs.report(), audit: () => auditWriter.health(), stages: () => rollout.readiness() }),
    dashboard,
    rollout: rollout.router,
    governance: governance.router,
    version: deps.version,
  });
  const close = async () => {
    // Shadow results and the fleet's "stopped" mark are written before the audit writer closes.
    await rollout.close();
    await auditWriter.close();
  };
  return { app, stores, metrics, packs, receipts, auditWriter, dashboard, rollout, generatedAdminKey, close };
}
