/**
 * fleet_instances: what each server instance attests it serves. Upserted by the instance
 * itself; `last_seen_at` and staleness use the database clock, never the instances' clocks.
 */
import type { Knex } from 'knex';
import type { Mode } from '../../contract/modes.js';
import { fromJson, toDate, toDateOrNull, toJsonb, toNumber } from '../db/driver-values.js';
import type { KillSwitchView, StageServing } from './rollout-state.js';

export interface InstanceReport {
  instance_id: string;
  hostname: string;
  pid: number;
  version: string;
  started_at: Date;
  last_refresh_at: Date | null;
  interval_ms: number;
  kill_switch: KillSwitchView;
  mode_ceiling: Mode;
  stages: StageServing[];
  runtime: Record<string, unknown>;
}

export interface InstanceRow extends InstanceReport {
  last_seen_at: Date;
  stopped_at: Date | null;
  /** Not seen for more than three of its own intervals (database clock). */
  stale: boolean;
}

export interface FleetStore {
  upsert(report: InstanceReport): Promise<void>;
  /** Marks a cleanly stopped instance, so that it is not mistaken for a stale one. */
  markStopped(instanceId: string): Promise<void>;
  list(): Promise<InstanceRow[]>;
  /** Removes instances not seen since `olderThanMs`; answers how many. */
  prune(olderThanMs: number): Promise<number>;
}

const TABLE = 'fleet_instances';

export function createFleetStore(knex: Knex): FleetStore {
  return {
    async upsert(r) {
      await knex(TABLE)
        .insert({
          instance_id: r.instance_id,
          hostname: r.hostname,
          pid: r.pid,
          version: r.version,
          started_at: r.started_at,
          last_seen_at: knex.fn.now(3),
          last_refresh_at: r.last_refresh_at,
          interval_ms: r.interval_ms,
          stopped_at: null,
          kill_switch: toJsonb(r.kill_switch),
          mode_ceiling: r.mode_ceiling,
          stages: toJsonb(r.stages),
          runtime: toJsonb(r.runtime),
        })
        .onConflict('instance_id')
        .merge();
    },

    async markStopped(instanceId) {
      await knex(TABLE).where({ instance_id: instanceId }).update({ stopped_at: knex.fn.now(3) });
    },

    async list() {
      const rows = await knex(TABLE)
        .select('*', knex.raw("(now() - last_seen_at) > (interval_ms * 3) * interval '1 millisecond' AS stale"))
        .orderBy([
          { column: 'started_at', order: 'asc' },
          { column: 'instance_id', order: 'asc' },
        ]);
      return rows.map(mapRow);
    },

    async prune(olderThanMs) {
      return knex(TABLE)
        .whereRaw("last_seen_at < now() - ? * interval '1 millisecond'", [olderThanMs])
        .delete();
    },
  };
}

function mapRow(r: Record<string, unknown>): InstanceRow {
  return {
    instance_id: String(r.instance_id),
    hostname: String(r.hostname),
    pid: toNumber(r.pid),
    version: String(r.version),
    started_at: toDate(r.started_at),
    last_seen_at: toDate(r.last_seen_at),
    last_refresh_at: toDateOrNull(r.last_refresh_at),
    interval_ms: toNumber(r.interval_ms),
    stopped_at: toDateOrNull(r.stopped_at),
    kill_switch: fromJson<KillSwitchView>(r.kill_switch),
    mode_ceiling: r.mode_ceiling as Mode,
    stages: fromJson<StageServing[]>(r.stages),
    runtime: fromJson<Record<string, unknown>>(r.runtime),
    stale: r.stale === true || r.stale === 't',
  };
}
