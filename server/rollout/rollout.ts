/**
 * Rollout governance, wired in one place so that gatehouse.ts only plugs it in: the change
 * bus, the in-memory rollout state the evaluate path reads, fleet attestation, shadow
 * evaluation and their routes.
 */
import type { Router } from 'express';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { evaluate as engineEvaluate } from '../../engine/index.js';
import type { Config } from '../config.js';
import type { PackRegistry } from '../packs/pack-registry.js';
import type { StageStore } from '../stages/stage-store.js';
import { createInProcessBus, createPostgresBus, type ChangeBus } from './change-bus.js';
import { createFleetReporter, newInstanceId, type FleetReporter } from './fleet-reporter.js';
import { createFleetService } from './fleet-service.js';
import { createFleetStore } from './fleet-store.js';
import { createKillSwitchService } from './kill-switch-service.js';
import { createKillSwitchStore } from './kill-switch-store.js';
import { createRolloutRouter } from './rollout-router.js';
import { createRolloutState, type RolloutState } from './rollout-state.js';
import { createShadowRunner, type ShadowRunner } from './shadow-runner.js';
import { createShadowStore } from './shadow-store.js';

export interface RolloutDeps {
  config: Pick<Config, 'databaseUrl' | 'killSwitch' | 'modeCeiling' | 'auditStoreContent' | 'limits' | 'rollout'>;
  knex: Knex;
  logger: Logger;
  stages: StageStore;
  registry: PackRegistry;
  version: string;
  /** The engine (tests replace it). */
  evaluate?: typeof engineEvaluate;
  /** Replace the bus (tests). */
  bus?: ChangeBus;
}

/** /readyz's view of the stages: each pinned stage is ready when this instance can serve it. */
export interface StagesReadiness extends Record<string, unknown> {
  ok: boolean;
  /** Stages this instance cannot serve (fail closed). */
  unready: string[];
  stages: Record<string, { ok: boolean; pack: string; version: string; status: string; effective_mode: string; error?: string }>;
  refreshed_at: string | null;
}

export interface Rollout {
  instanceId: string;
  state: RolloutState;
  shadow: ShadowRunner;
  fleet: FleetReporter;
  router: Router;
  readiness(): StagesReadiness;
  close(): Promise<void>;
}

/** Loads the first snapshot and starts listening; throws when the database cannot be read. */
export async function createRollout(deps: RolloutDeps): Promise<Rollout> {
  const { config, knex, logger } = deps;
  const instanceId = newInstanceId();
  const bus =
    deps.bus ??
    (config.databaseUrl ? createPostgresBus({ url: config.databaseUrl, knex, origin: instanceId, logger }) : createInProcessBus(knex, instanceId));
  const killSwitchStore = createKillSwitchStore(knex);
  const state = createRolloutState({
    stages: deps.stages,
    killSwitch: killSwitchStore,
    registry: deps.registry,
    bus,
    logger,
    envCaps: { killSwitch: config.killSwitch, ceiling: config.modeCeiling },
    pollMs: config.rollout.pollMs,
  });
  const shadowStore = createShadowStore(knex);
  const shadow = createShadowRunner({
    pin: state.pin,
    packs: deps.registry,
    store: shadowStore,
    logger,
    instanceId,
    concurrency: config.rollout.shadowConcurrency,
    queueLimit: config.rollout.shadowQueue,
    timeoutMs: config.limits.evaluationTimeoutMs,
    evaluate: deps.evaluate,
  });
  const fleetStore = createFleetStore(knex);
  const fleet = createFleetReporter({
    store: fleetStore,
    logger,
    instanceId,
    intervalMs: config.rollout.fleetIntervalMs,
    describe: () => ({
      version: deps.version,
      last_refresh_at: state.refreshedAt() ?? null,
      kill_switch: state.killSwitch(),
      mode_ceiling: config.modeCeiling,
      stages: state.serving(),
      runtime: { bus: bus.status(), poll_ms: config.rollout.pollMs, refresh_error: state.lastError() ?? null, shadow: shadow.stats() },
    }),
  });

  try {
    await state.start();
    state.onChange(() => {
      fleet.report().catch((error: unknown) => logger.warn({ err: error }, 'fleet report after a change failed'));
    });
    await fleet.start();
  } catch (error) {
    // Never leave the LISTEN connection open behind a failed start: it would keep the process alive.
    await state.close().catch(() => undefined);
    throw error;
  }

  const router = createRolloutRouter({
    killSwitch: createKillSwitchService({ store: killSwitchStore, state }),
    fleet: createFleetService({ fleet: fleetStore, stages: deps.stages, packs: deps.registry, killSwitch: killSwitchStore }),
    shadow: shadowStore,
    auditStoreContent: config.auditStoreContent,
  });

  let closing: Promise<void> | undefined;
  return {
    instanceId,
    state,
    shadow,
    fleet,
    router,

    readiness() {
      const stages: StagesReadiness['stages'] = {};
      for (const s of state.serving()) {
        // A stage served off answers SKIPPED without its pack: it can be served even when the pack cannot.
        const ok = s.status === 'serving' || s.effective_mode === 'off';
        stages[s.stage] = { ok, pack: s.pack, version: s.version, status: s.status, effective_mode: s.effective_mode, ...(s.error ? { error: s.error } : {}) };
      }
      const unready = Object.entries(stages)
        .filter(([, s]) => !s.ok)
        .map(([name]) => name);
      return { ok: unready.length === 0, unready, stages, refreshed_at: state.refreshedAt()?.toISOString() ?? null };
    },

    close() {
      return (closing ??= (async () => {
        await shadow.close();
        await state.close();
        await fleet.close();
      })());
    },
  };
}
