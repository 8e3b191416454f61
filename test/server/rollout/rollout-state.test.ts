// The rollout snapshot on its own, with fake stores and a bus that never delivers: the poll is
// the fallback for missed notifications, the kill switch never waits for a compile, and a failed
// refresh keeps serving the last snapshot.
import { describe, expect, it } from 'vitest';
import type { CompiledPack } from '../../../engine/index.js';
import { createLogger } from '../../../server/logger.js';
import type { ChangeBus } from '../../../server/rollout/change-bus.js';
import type { KillSwitchChange } from '../../../server/rollout/kill-switch-store.js';
import { createRolloutState } from '../../../server/rollout/rollout-state.js';
import type { StagePin } from '../../../server/stages/stage-store.js';

const silentBus = (): ChangeBus => ({
  start: async () => undefined,
  announce: async () => undefined,
  subscribe: () => () => undefined,
  check: async () => undefined,
  status: () => ({ transport: 'in-process', listening: false, reconnects: 0 }),
  close: async () => undefined,
});

const pinOf = (stage: string, version: string): StagePin => ({ stage, pack_id: 'qa', version, mode: 'enforced', updated_at: new Date(), updated_by: 't' });

function fixture(pollMs: number) {
  const data = { pins: [pinOf('prod', '1.0.0')], killSwitch: undefined as KillSwitchChange | undefined, listCalls: 0, failList: false };
  let compileGate: Promise<void> = Promise.resolve();
  const state = createRolloutState({
    stages: {
      list: async () => {
        data.listCalls++;
        if (data.failList) throw new Error('connection refused');
        return data.pins.map((p) => ({ ...p }));
      },
    },
    killSwitch: { get: async () => data.killSwitch },
    registry: {
      compiled: async (id, version) => {
        if (version === '2.0.0') await compileGate;
        return { id, version, hash: `sha256:${version}` } as CompiledPack;
      },
      published: async (id, version) => ({ pack_id: id, version, hash: `sha256:${version}`, published_at: new Date() }),
    },
    bus: silentBus(),
    logger: createLogger('silent'),
    envCaps: { killSwitch: false, ceiling: 'enforced' },
    pollMs,
  });
  return { data, state, holdCompiles: (gate: Promise<void>) => (compileGate = gate) };
}

async function until(check: () => boolean, limitMs: number): Promise<number> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - started;
}

describe('rollout state', () => {
  it('a missed notification is made up by the poll', async () => {
    const { data, state } = fixture(100);
    await state.start();
    try {
      expect(state.pin('prod')?.version).toBe('1.0.0');
      data.pins = [pinOf('prod', '1.1.0')];
      data.killSwitch = { engaged: true, reason: 'r', changed_by: 'a', changed_by_id: '1', changed_at: new Date() };
      const ms = await until(() => state.pin('prod')?.version === '1.1.0' && state.modeCaps().killSwitch, 1_000);
      expect(ms).toBeLessThan(500);
    } finally {
      await state.close();
    }
  });

  it('concurrent refreshes share reads, and each caller sees a read that started after its call', async () => {
    const { data, state } = fixture(60_000);
    await state.start();
    try {
      const before = data.listCalls;
      await Promise.all(Array.from({ length: 10 }, () => state.refresh()));
      expect(data.listCalls - before).toBeLessThanOrEqual(2);
    } finally {
      await state.close();
    }
  });

  it('the kill switch applies before the packs of a new pin are compiled', async () => {
    const { data, state, holdCompiles } = fixture(60_000);
    await state.start();
    let release!: () => void;
    holdCompiles(new Promise<void>((r) => (release = r)));
    try {
      data.pins = [pinOf('prod', '2.0.0')];
      data.killSwitch = { engaged: true, reason: 'r', changed_by: 'a', changed_by_id: '1', changed_at: new Date() };
      const refreshing = state.refresh();
      await until(() => state.modeCaps().killSwitch, 1_000);
      // The old pin is still served until the new one is compiled.
      expect(state.pin('prod')?.version).toBe('1.0.0');
      release();
      await refreshing;
      expect(state.pin('prod')?.version).toBe('2.0.0');
      expect(state.serving()[0]).toMatchObject({ hash: 'sha256:2.0.0', status: 'serving', effective_mode: 'off' });
    } finally {
      release();
      await state.close();
    }
  });

  it('a failed refresh keeps the last snapshot and says why', async () => {
    const { data, state } = fixture(60_000);
    await state.start();
    try {
      data.failList = true;
      await expect(state.refresh()).rejects.toThrow('connection refused');
      expect(state.pin('prod')?.version).toBe('1.0.0');
      expect(state.lastError()).toBe('connection refused');
      data.failList = false;
      await state.refresh();
      expect(state.lastError()).toBeUndefined();
    } finally {
      await state.close();
    }
  });
});
