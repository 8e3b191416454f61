/**
 * POST/GET /v1/kill-switch: throw or release the API kill switch (recorded with who, when and
 * why), announce it to every instance, and show the state as this instance applies it.
 * GATEHOUSE_KILL_SWITCH=1 engages it on the instance that has it set, whatever the API says:
 * the environment is the last resort when the database or the API cannot be trusted, so the
 * API can never release it (the answer says so).
 */
import type { Caller } from '../auth/api-keys.js';
import type { KillSwitchChange, KillSwitchStore } from './kill-switch-store.js';
import type { RolloutState } from './rollout-state.js';

export interface KillSwitchBody {
  engaged: boolean;
  sources: { api: boolean; environment: boolean };
  state: ReturnType<typeof changeBody> | null;
  note?: string;
  history: ReturnType<typeof changeBody>[];
}

export interface KillSwitchService {
  get(): Promise<KillSwitchBody>;
  set(to: { engaged: boolean; reason: string }, caller: Caller): Promise<KillSwitchBody>;
}

const HISTORY_LIMIT = 100;

export const ENVIRONMENT_NOTE =
  'GATEHOUSE_KILL_SWITCH=1 is set on this instance: the kill switch stays engaged here whatever the API says. ' +
  'It cannot be released through the API; unset the variable and restart the instance.';

export function createKillSwitchService(deps: { store: KillSwitchStore; state: Pick<RolloutState, 'changed' | 'killSwitch'> }): KillSwitchService {
  async function body(): Promise<KillSwitchBody> {
    const [current, history] = await Promise.all([deps.store.get(), deps.store.history(HISTORY_LIMIT)]);
    const env = deps.state.killSwitch().environment;
    const api = current?.engaged ?? false;
    return {
      engaged: api || env,
      sources: { api, environment: env },
      state: current ? changeBody(current) : null,
      ...(env ? { note: ENVIRONMENT_NOTE } : {}),
      history: history.map(changeBody),
    };
  }

  return {
    get: body,

    async set(to, caller) {
      await deps.store.set({ engaged: to.engaged, reason: to.reason.trim(), changed_by: caller.label, changed_by_id: caller.id });
      // Resolves once this instance applies it; every other instance is told at the same time.
      await deps.state.changed('kill_switch');
      return body();
    },
  };
}

function changeBody(c: KillSwitchChange) {
  return { engaged: c.engaged, reason: c.reason, changed_by: c.changed_by, changed_by_id: c.changed_by_id, changed_at: c.changed_at.toISOString() };
}
