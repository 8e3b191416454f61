import { describe, expect, it } from 'vitest';
import type { StagePin } from '../../../server/stages/stage-store.js';
import { withLastKnownPins } from '../../../server/stages/last-known-pins.js';

const silent = { warn() {}, debug() {} };
const pinOf = (mode: StagePin['mode']): StagePin => ({ stage: 'prod', pack_id: 'qa', version: '1.0.0', mode, updated_at: new Date(0), updated_by: 'admin' });

function flakyStages() {
  const stages = { mode: 'up' as 'up' | 'down' | 'hang', pin: pinOf('advisory') as StagePin | undefined, calls: 0 };
  return {
    stages,
    async get(stage: string) {
      stages.calls += 1;
      if (stages.mode === 'down') throw new Error('connect ECONNREFUSED');
      if (stages.mode === 'hang') return new Promise<StagePin | undefined>(() => undefined);
      return stage === 'prod' ? stages.pin : undefined;
    },
  };
}

describe('stage pins for evaluations (last known)', () => {
  it('reads the database while it answers, so a pin change applies at once', async () => {
    const store = flakyStages();
    const reader = withLastKnownPins(store, { timeoutMs: 50, breakerThreshold: 3, breakerResetMs: 60_000, logger: silent });
    expect((await reader.get('prod'))?.mode).toBe('advisory');
    store.stages.pin = pinOf('enforced');
    expect((await reader.get('prod'))?.mode).toBe('enforced');
    expect(await reader.get('nope')).toBeUndefined();
  });

  it('answers from the last known pin when the database is down or slow, then stops asking it', async () => {
    const store = flakyStages();
    const reader = withLastKnownPins(store, { timeoutMs: 50, breakerThreshold: 3, breakerResetMs: 60_000, logger: silent });
    await reader.get('prod');
    store.stages.mode = 'down';
    expect((await reader.get('prod'))?.mode).toBe('advisory');
    store.stages.mode = 'hang';
    const started = Date.now();
    expect((await reader.get('prod'))?.mode).toBe('advisory');
    expect(Date.now() - started).toBeLessThan(500);
    await reader.get('prod');
    expect(reader.breaker.state).toBe('open');
    const calls = store.stages.calls;
    expect((await reader.get('prod'))?.mode).toBe('advisory');
    expect(store.stages.calls).toBe(calls);
  });

  it('fails clearly for a stage it has never read while the database is down', async () => {
    const store = flakyStages();
    const reader = withLastKnownPins(store, { timeoutMs: 50, breakerThreshold: 1, breakerResetMs: 60_000, logger: silent });
    store.stages.mode = 'down';
    await expect(reader.get('prod')).rejects.toThrow('ECONNREFUSED');
    await expect(reader.get('prod')).rejects.toMatchObject({ code: 'NOT_READY' });
  });
});
