import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { createReadiness } from '../../../server/ops/readiness.js';

const loaded = () => ({ loaded: true, published: ['qa@1.0.0'], unchanged: [], conflicts: [], errors: [] });
const fakeKnex = (raw: () => Promise<unknown>) => ({ raw }) as unknown as Knex;

describe('readiness', () => {
  it('is ready when the database answers and packs are loaded', async () => {
    const report = await createReadiness({ knex: fakeKnex(async () => [{ '?column?': 1 }]), packs: loaded })();
    expect(report.ready).toBe(true);
    expect(report.checks.database).toMatchObject({ ok: true });
  });

  it('is not ready when the database hangs past the timeout', async () => {
    const started = Date.now();
    const report = await createReadiness({ knex: fakeKnex(() => new Promise(() => undefined)), packs: loaded, timeoutMs: 50 })();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(report).toMatchObject({ ready: false, checks: { database: { ok: false, error: 'no answer within 50 ms' } } });
  });

  it('never shows a connection string', async () => {
    const knex = fakeKnex(async () => {
      throw new Error('connect ECONNREFUSED postgres://app:hunter2@db:5432/gh');
    });
    const report = await createReadiness({ knex, packs: loaded })();
    expect(JSON.stringify(report)).not.toContain('hunter2');
  });

  it('is not ready before the packs are loaded', async () => {
    const report = await createReadiness({ knex: fakeKnex(async () => []), packs: () => ({ ...loaded(), loaded: false }) })();
    expect(report).toMatchObject({ ready: false, checks: { packs: { ok: false } } });
  });
});
