/**
 * Wiring, in one place: stores → services → createApp. main.ts calls it with
 * the real database; tests call it with their own database and may replace
 * a store (a failing audit store) or the engine.
 */
import { EventEmitter } from 'node:events';
import type { Express } from 'express';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { createAgentRunStore, type AgentRunStore } from './audit/agent-run-store.js';
import { createAuditStore, type AuditStore } from './audit/audit-store.js';
import { createAuditWriter, type AuditSink } from './audit/audit-writer.js';
import { bootstrapKeys } from './auth/api-keys.js';
import { createKeyStore, type KeyStore } from './auth/key-store.js';
import type { Config } from './config.js';
import { createEvaluationService, type EvaluationServiceDeps } from './evaluations/evaluation-service.js';
import type { ModeCaps } from './evaluations/modes.js';
import { createMetrics, type Metrics } from './ops/metrics.js';
import { createReadiness } from './ops/readiness.js';
import { createPackRegistry, type PackRegistry } from './packs/pack-registry.js';
import { createPackStore, type PackStore } from './packs/pack-store.js';
import { createReceiptService, type ReceiptService } from './receipts/receipts.js';
import { createSigningKeyStore, type SigningKeyStore } from './receipts/signing-key-store.js';
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
  decisionEvents?: EventEmitter;
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
  auditWriter: AuditSink;
  decisionEvents: EventEmitter;
  /** Set only on the start that generated the first admin key; print it once. */
  generatedAdminKey?: string;
  /** Flushes the audit writer; the caller closes the database. */
  close(): Promise<void>;
}

export async function createGatehouse(deps: GatehouseDeps): Promise<Gatehouse> {
  const { config, logger } = deps;
  const stores = { ...createStores(deps.knex), ...deps.stores };
  const metrics = createMetrics({ defaultMetrics: deps.defaultMetrics });
  const decisionEvents = deps.decisionEvents ?? new EventEmitter();
  const modeCaps = (): ModeCaps => ({ killSwitch: config.killSwitch, ceiling: config.modeCeiling });

  const { authenticator, generatedAdminKey } = await bootstrapKeys(stores.keys, config.apiKeys);
  const receipts = await createReceiptService({ store: stores.signingKeys, ttlSeconds: config.receiptTtlSeconds, now: deps.now });
  const packs = createPackRegistry({ store: stores.packs, rulesDir: config.rulesDir, logger });
  await packs.start();
  const auditWriter = createAuditWriter(stores.audit, config.audit);

  const evaluations = createEvaluationService({
    stages: stores.stages,
    packs,
    audit: auditWriter,
    auditStore: stores.audit,
    receipts,
    metrics,
    decisionEvents,
    logger,
    modeCaps,
    limits: config.limits,
    auditStoreContent: config.auditStoreContent,
    evaluate: deps.evaluate,
  });
  const app = createApp({
    config,
    logger,
    metrics,
    authenticator,
    evaluations,
    stages: createStageService({ store: stores.stages, packs, modeCaps }),
    packs,
    receipts,
    auditStore: stores.audit,
    agentRuns: stores.agentRuns,
    readiness: createReadiness({ knex: deps.knex, packs: () => packs.report() }),
    version: deps.version,
  });
  return { app, stores, metrics, packs, receipts, auditWriter, decisionEvents, generatedAdminKey, close: () => auditWriter.close() };
}
