/**
 * The kill switch as thrown through the API: the current state (one row) and the append-only
 * history of every throw and release, written together in one transaction.
 */
import type { Knex } from 'knex';
import { toDate } from '../db/driver-values.js';

export interface KillSwitchChange {
  engaged: boolean;
  reason: string;
  /** Label of the admin key that threw or released it. */
  changed_by: string;
  /** Id of that key in the key store. */
  changed_by_id: string;
  changed_at: Date;
}

export interface KillSwitchStore {
  /** The current state; undefined when the switch has never been thrown through the API. */
  get(): Promise<KillSwitchChange | undefined>;
  /** Sets the state and appends its history row in one transaction. */
  set(change: Omit<KillSwitchChange, 'changed_at'>): Promise<KillSwitchChange>;
  /** Newest first. */
  history(limit: number): Promise<KillSwitchChange[]>;
}

const STATE = 'kill_switch';
const HISTORY = 'kill_switch_history';
const COLUMNS = ['engaged', 'reason', 'changed_by', 'changed_by_id', 'changed_at'];

export function createKillSwitchStore(knex: Knex): KillSwitchStore {
  return {
    async get() {
      const row = await knex(STATE).select(COLUMNS).where({ id: 1 }).first();
      return row ? mapRow(row) : undefined;
    },

    set(change) {
      return knex.transaction(async (trx) => {
        const row = { engaged: change.engaged, reason: change.reason, changed_by: change.changed_by, changed_by_id: change.changed_by_id };
        const [saved] = await trx(STATE)
          .insert({ id: 1, ...row, changed_at: trx.fn.now(3) })
          .onConflict('id')
          .merge()
          .returning(COLUMNS);
        await trx(HISTORY).insert({ ...row, changed_at: saved.changed_at });
        return mapRow(saved);
      });
    },

    async history(limit) {
      const rows = await knex(HISTORY).select(COLUMNS).orderBy('id', 'desc').limit(limit);
      return rows.map(mapRow);
    },
  };
}

function mapRow(r: Record<string, unknown>): KillSwitchChange {
  return {
    engaged: Boolean(r.engaged),
    reason: String(r.reason),
    changed_by: String(r.changed_by),
    changed_by_id: String(r.changed_by_id),
    changed_at: toDate(r.changed_at),
  };
}
