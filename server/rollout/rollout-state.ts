/**
 * The in-memory snapshot of the rollout state that the evaluate path reads: every stage pin,
 * the kill switch thrown through the API, and for each pinned stage whether this instance can
 * serve its pinned version (compiled, with which hash). No database read per request.
 *
 * The snapshot is re-read from the database when a change is announced on the bus (≪ 1 s),
 * on a periodic poll (a missed notification cannot leave an instance stale for longer than one
 * interval), and right after this instance changes something itself (read-your-writes).
 *
 * Fail closed: a stage whose pinned version this instance cannot load or compile is marked
 * unavailable, and evaluating it answers POLICY_VERSION_UNAVAILABLE; nothing falls back to
 * an older version.
 */
import { effectiveMode, type Mode, type ModeCaps } from '../../contract/modes.js';
import type { PackRegistry } from '../packs/pack-registry.js';
import type { StagePin, StageStore } from '../stages/stage-store.js';
import type { ChangeBus, ChangeKind } from './change-bus.js';
import { safeMessage } from '../lib/redact.js';
import { failClosedPacks, reasonOf } from './fail-closed-packs.js';
import type { KillSwitchChange, KillSwitchStore } from './kill-switch-store.js';
import type { Logger } from 'pino';

export interface StageServing {
  stage: string;
  pack: string;
  version: string;
  mode: Mode;
  effective_mode: Mode;
  shadow: string | null;
  /** serving: the pinned version is compiled here; unavailable: it could not be loaded or compiled. */
  status: 'serving' | 'unavailable';
  /** Hash of the compiled pack this instance serves; null when unavailable. */
  hash: string | null;
  error?: string;
}

export interface KillSwitchView {
  /** Effective on this instance. */
  engaged: boolean;
  /** Set through the API (shared by every instance). */
  api: boolean;
  /** GATEHOUSE_KILL_SWITCH=1 on this instance (cannot be released through the API). */
  environment: boolean;
}

export interface RolloutState {
  /** Loads the first snapshot and subscribes to changes; throws when the database cannot be read. */
  start(): Promise<void>;
  /** Re-reads pins and kill switch; concurrent calls share one read that starts after the call. */
  refresh(): Promise<void>;
  /** Announces a change to every instance and refreshes this one before resolving. */
  changed(kind: ChangeKind): Promise<void>;
  /** Synchronous pin lookup, for work scheduled from the evaluate path. */
  pin(stage: string): StagePin | undefined;
  /** The registry as the evaluate path must see it: a pinned version that cannot be compiled fails closed. */
  packs: Pick<PackRegistry, 'compiled' | 'published'>;
  /** Read on every request. */
  modeCaps(): ModeCaps;
  killSwitch(): KillSwitchView;
  serving(): StageServing[];
  /** When the snapshot was last read successfully. */
  refreshedAt(): Date | undefined;
  lastError(): string | undefined;
  /** Called after every refresh that changed what this instance serves. */
  onChange(listener: () => void): void;
  close(): Promise<void>;
}

export interface RolloutStateDeps {
  stages: Pick<StageStore, 'list'>;
  killSwitch: Pick<KillSwitchStore, 'get'>;
  registry: Pick<PackRegistry, 'compiled' | 'published'>;
  bus: ChangeBus;
  logger: Logger;
  /** GATEHOUSE_KILL_SWITCH and GATEHOUSE_MODE_CEILING. */
  envCaps: ModeCaps;
  /** Poll interval, the fallback for missed notifications. @defaultValue 5,000 */
  pollMs: number;
}

interface Snapshot {
  pins: Map<string, StagePin>;
  /** id@version → why it cannot be served, for every pinned version that failed. */
  unavailable: Map<string, string>;
  /** id@version → hash of the compiled pack, for every pinned version that compiled. */
  hashes: Map<string, string>;
  killSwitch: KillSwitchChange | undefined;
}

const ref = (pack: string, version: string) => `${pack}@${version}`;

export function createRolloutState(deps: RolloutStateDeps): RolloutState {
  const { registry, bus, logger } = deps;
  let snapshot: Snapshot = { pins: new Map(), unavailable: new Map(), hashes: new Map(), killSwitch: undefined };
  let refreshedAt: Date | undefined;
  let lastError: string | undefined;
  let fingerprint = '';
  let running: Promise<void> | undefined;
  let again = false;
  let poll: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let closed = false;
  const listeners: (() => void)[] = [];
  const reported = new Set<string>();

  const modeCaps = (): ModeCaps => ({
    killSwitch: deps.envCaps.killSwitch || (snapshot.killSwitch?.engaged ?? false),
    ceiling: deps.envCaps.ceiling,
  });

  async function load(): Promise<void> {
    const [pins, killSwitch] = await Promise.all([deps.stages.list(), deps.killSwitch.get()]);
    // The kill switch applies at once; it must not wait for packs to compile.
    snapshot = { ...snapshot, killSwitch };
    const unavailable = new Map<string, string>();
    const hashes = new Map<string, string>();
    const wanted = new Map<string, StagePin>();
    for (const pin of pins) wanted.set(ref(pin.pack_id, pin.version), pin);
    for (const [key, pin] of wanted) {
      try {
        hashes.set(key, (await registry.compiled(pin.pack_id, pin.version)).hash);
      } catch (error) {
        unavailable.set(key, reasonOf(error));
      }
    }
    // Pins are swapped only once their packs are compiled: the first request on a new pin
    // never waits for a compile, and never sees a pin whose availability is unknown.
    snapshot = { pins: new Map(pins.map((p) => [p.stage, p])), unavailable, hashes, killSwitch };
    refreshedAt = new Date();
    lastError = undefined;
    const next = JSON.stringify([pins.map((p) => [p.stage, p.pack_id, p.version, p.mode, p.shadow]), [...unavailable.keys()], killSwitch?.engaged ?? null]);
    for (const [key, reason] of unavailable) {
      if (!reported.has(key)) logger.error({ pack: key, reason }, `pinned version ${key} cannot be served here; its stages fail closed`);
    }
    for (const key of reported) if (!unavailable.has(key)) reported.delete(key);
    for (const key of unavailable.keys()) reported.add(key);
    if (next !== fingerprint) {
      fingerprint = next;
      for (const listener of listeners) listener();
    }
  }

  function refresh(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await load();
        } while (again && !closed);
      } catch (error) {
        lastError = safeMessage(error);
        throw error;
      }
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  function refreshQuietly(why: string): void {
    refresh().catch((error: unknown) => logger.warn({ err: error, why }, 'rollout state refresh failed; serving the last snapshot'));
  }

  // Fail closed: a pinned version known not to compile here is refused without trying again.
  const packs = failClosedPacks(registry, (pack, version) => snapshot.unavailable.get(ref(pack, version)));

  return {
    async start() {
      await refresh();
      unsubscribe = bus.subscribe((change) => {
        logger.debug({ change }, 'rollout change announced');
        refreshQuietly(`notification ${change.kind}`);
      });
      await bus.start();
      poll = setInterval(() => {
        void bus.check().catch(() => undefined);
        refreshQuietly('poll');
      }, deps.pollMs);
      poll.unref();
    },

    refresh,

    async changed(kind) {
      // The change is committed before this is called: a failure here must not fail the request.
      try {
        await bus.announce(kind);
      } catch (error) {
        logger.warn({ err: error, kind }, 'could not announce a rollout change; other instances will see it on their next poll');
      }
      try {
        await refresh();
      } catch (error) {
        logger.warn({ err: error, kind }, 'rollout state refresh failed after a change; the poll will retry');
      }
    },

    pin: (stage) => snapshot.pins.get(stage),
    packs,
    modeCaps,

    killSwitch() {
      const api = snapshot.killSwitch?.engaged ?? false;
      return { engaged: api || deps.envCaps.killSwitch, api, environment: deps.envCaps.killSwitch };
    },

    serving() {
      const caps = modeCaps();
      return [...snapshot.pins.values()].map((pin): StageServing => {
        const key = ref(pin.pack_id, pin.version);
        const reason = snapshot.unavailable.get(key);
        return {
          stage: pin.stage,
          pack: pin.pack_id,
          version: pin.version,
          mode: pin.mode,
          effective_mode: effectiveMode(pin.mode, caps),
          shadow: pin.shadow ?? null,
          status: reason === undefined ? 'serving' : 'unavailable',
          hash: snapshot.hashes.get(key) ?? null,
          ...(reason === undefined ? {} : { error: reason }),
        };
      });
    },

    refreshedAt: () => refreshedAt,
    lastError: () => lastError,
    onChange: (listener) => void listeners.push(listener),

    async close() {
      closed = true;
      clearInterval(poll);
      unsubscribe?.();
      await bus.close();
      await running?.catch(() => undefined);
    },
  };
}
