/**
 * Fleet attestation, the instance's side: on a heartbeat and after every change of what it
 * serves, the instance upserts its row in fleet_instances. Reports never overlap: a report
 * asked for while one is being written is written once more right after.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Mode } from '../../contract/modes.js';
import type { EngineWorkers } from '../evaluations/engine-workers.js';
import type { ChangeBus } from './change-bus.js';
import type { FleetStore, InstanceReport } from './fleet-store.js';
import type { RolloutState } from './rollout-state.js';
import type { ShadowRunner } from './shadow-runner.js';

export interface FleetReporter {
  readonly instanceId: string;
  start(): Promise<void>;
  /** Writes the current report now (and resolves when written). */
  report(): Promise<void>;
  /** Stops the heartbeat and marks the instance stopped. */
  close(): Promise<void>;
}

export interface FleetReporterDeps {
  store: FleetStore;
  logger: Logger;
  instanceId: string;
  intervalMs: number;
  /** The report as of now (everything but identity and the heartbeat). */
  describe(): Omit<InstanceReport, 'instance_id' | 'hostname' | 'pid' | 'started_at' | 'interval_ms'>;
}

/** The report of this instance as of now: what it serves, read from the rollout snapshot, the bus and the shadow runner. */
export function describeInstance(deps: {
  version: string;
  modeCeiling: Mode;
  pollMs: number;
  state: Pick<RolloutState, 'refreshedAt' | 'killSwitch' | 'serving' | 'lastError'>;
  bus: Pick<ChangeBus, 'status'>;
  shadow: Pick<ShadowRunner, 'stats'>;
  /** The engine worker threads: whether they have compiled their packs (until then they compete for the CPU). */
  engine: Pick<EngineWorkers, 'stats'>;
}): FleetReporterDeps['describe'] {
  const { state } = deps;
  return () => ({
    version: deps.version,
    last_refresh_at: state.refreshedAt() ?? null,
    kill_switch: state.killSwitch(),
    mode_ceiling: deps.modeCeiling,
    stages: state.serving(),
    runtime: { bus: deps.bus.status(), poll_ms: deps.pollMs, refresh_error: state.lastError() ?? null, shadow: deps.shadow.stats(), engine: engineRuntime(deps.engine) },
  });
}

function engineRuntime(engine: Pick<EngineWorkers, 'stats'>) {
  const { threads, generation, ready, packs } = engine.stats();
  return { threads, generation, ready, packs };
}

/** hostname:pid:random — unique even for two processes that reuse a pid on one host. */
export function newInstanceId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

// Instances not seen for a week are removed by whichever instance reports.
const PRUNE_AFTER_MS = 7 * 24 * 3600 * 1000;

export function createFleetReporter(deps: FleetReporterDeps): FleetReporter {
  const startedAt = new Date();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  let beats = 0;

  async function write(): Promise<void> {
    await deps.store.upsert({
      ...deps.describe(),
      instance_id: deps.instanceId,
      hostname: hostname(),
      pid: process.pid,
      started_at: startedAt,
      interval_ms: deps.intervalMs,
    });
    if (beats++ % 100 === 0) await deps.store.prune(PRUNE_AFTER_MS);
  }

  function report(): Promise<void> {
    if (closed) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await write();
      } while (again && !closed);
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    instanceId: deps.instanceId,

    async start() {
      await report();
      timer = setInterval(() => {
        report().catch((error: unknown) => deps.logger.warn({ err: error }, 'fleet heartbeat failed'));
      }, deps.intervalMs);
      timer.unref();
    },

    report,

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
      await deps.store.markStopped(deps.instanceId).catch((error: unknown) => deps.logger.warn({ err: error }, 'could not mark this instance stopped'));
    },
  };
}
