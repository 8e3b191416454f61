/**
 * GET /v1/fleet: every instance's attestation next to the pins in the database, with each
 * difference named. An instance is out of sync when, for some pinned stage, it serves another
 * version, a compiled hash other than the published one, nothing at all (unavailable), or when
 * its view of the API kill switch differs from the database.
 */
import type { PackRegistry } from '../packs/pack-registry.js';
import type { StageStore } from '../stages/stage-store.js';
import type { FleetStore, InstanceRow } from './fleet-store.js';
import type { KillSwitchStore } from './kill-switch-store.js';

export type MismatchKind = 'missing' | 'version_mismatch' | 'hash_mismatch' | 'unavailable' | 'mode_mismatch' | 'kill_switch_mismatch';

export interface Mismatch {
  stage: string | null;
  kind: MismatchKind;
  expected: string;
  served: string | null;
}

export interface PinnedView {
  stage: string;
  pack: string;
  version: string;
  /** Published hash of the pinned version. */
  hash: string | null;
  mode: string;
  shadow: string | null;
}

export interface FleetView {
  generated_at: string;
  pins: PinnedView[];
  kill_switch: { engaged: boolean };
  instances: (Omit<InstanceRow, 'started_at' | 'last_seen_at' | 'last_refresh_at' | 'stopped_at' | 'stale'> & {
    started_at: string;
    last_seen_at: string;
    last_refresh_at: string | null;
    stopped_at: string | null;
    status: 'live' | 'stale' | 'stopped';
    in_sync: boolean;
    mismatches: Mismatch[];
  })[];
  summary: { instances: number; live: number; stale: number; stopped: number; out_of_sync: number };
}

export interface FleetService {
  view(): Promise<FleetView>;
}

export function createFleetService(deps: {
  fleet: Pick<FleetStore, 'list'>;
  stages: Pick<StageStore, 'list'>;
  packs: Pick<PackRegistry, 'published'>;
  killSwitch: Pick<KillSwitchStore, 'get'>;
}): FleetService {
  return {
    async view() {
      const [rows, pinRows, killSwitch] = await Promise.all([deps.fleet.list(), deps.stages.list(), deps.killSwitch.get()]);
      const pins: PinnedView[] = [];
      for (const p of pinRows) {
        const hash = await deps.packs.published(p.pack_id, p.version).then((v) => v.hash, () => null);
        pins.push({ stage: p.stage, pack: p.pack_id, version: p.version, hash, mode: p.mode, shadow: p.shadow ?? null });
      }
      const apiEngaged = killSwitch?.engaged ?? false;
      const instances = rows.map((row) => {
        const mismatches = compare(row, pins, apiEngaged);
        const { stale, started_at, last_seen_at, last_refresh_at, stopped_at, ...rest } = row;
        const status: 'live' | 'stale' | 'stopped' = stopped_at ? 'stopped' : stale ? 'stale' : 'live';
        return {
          ...rest,
          started_at: started_at.toISOString(),
          last_seen_at: last_seen_at.toISOString(),
          last_refresh_at: last_refresh_at?.toISOString() ?? null,
          stopped_at: stopped_at?.toISOString() ?? null,
          status,
          in_sync: mismatches.length === 0,
          mismatches,
        };
      });
      const live = instances.filter((i) => i.status === 'live');
      return {
        generated_at: new Date().toISOString(),
        pins,
        kill_switch: { engaged: apiEngaged },
        instances,
        summary: {
          instances: instances.length,
          live: live.length,
          stale: instances.filter((i) => i.status === 'stale').length,
          stopped: instances.filter((i) => i.status === 'stopped').length,
          out_of_sync: live.filter((i) => !i.in_sync).length,
        },
      };
    },
  };
}

function compare(row: InstanceRow, pins: PinnedView[], apiEngaged: boolean): Mismatch[] {
  const out: Mismatch[] = [];
  const served = new Map(row.stages.map((s) => [s.stage, s]));
  for (const pin of pins) {
    const s = served.get(pin.stage);
    const expected = `${pin.pack}@${pin.version}`;
    if (!s) {
      out.push({ stage: pin.stage, kind: 'missing', expected, served: null });
      continue;
    }
    if (s.pack !== pin.pack || s.version !== pin.version) {
      out.push({ stage: pin.stage, kind: 'version_mismatch', expected, served: `${s.pack}@${s.version}` });
    } else if (s.status === 'unavailable' || s.hash === null) {
      out.push({ stage: pin.stage, kind: 'unavailable', expected, served: s.error ?? null });
    } else if (pin.hash !== null && s.hash !== pin.hash) {
      out.push({ stage: pin.stage, kind: 'hash_mismatch', expected: pin.hash, served: s.hash });
    }
    if (s.mode !== pin.mode) out.push({ stage: pin.stage, kind: 'mode_mismatch', expected: pin.mode, served: s.mode });
  }
  if ((row.kill_switch?.api ?? false) !== apiEngaged) {
    out.push({ stage: null, kind: 'kill_switch_mismatch', expected: String(apiEngaged), served: String(row.kill_switch?.api ?? false) });
  }
  return out;
}
