// The group commits on /metrics (server/audit/sink-metrics.ts): rows per batch, the commit's time,
// and batches by how they were written, through the real server on PostgreSQL: the first batch of
// a stage goes the long way (the writer knows no head yet), the next ones in one round trip.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gatehouse } from '../../../server/compose.js';
import { useDatabase } from '../../helpers/databases.js';
import { buildGatehouse, CONTENT, evaluate, pin } from '../api/harness.js';

const database = useDatabase('postgres');
let gh: Gatehouse;

beforeAll(async () => {
  gh = await buildGatehouse(database().db);
});
afterAll(async () => {
  await gh?.close();
});

/** The value of one sample line (`name{labels} value` or `name value`) of a scrape. */
function sample(scrape: string, line: string): number | undefined {
  const found = scrape.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('audit group-commit metrics', () => {
  it('counts each batch once, by path, with its rows and its commit time', async () => {
    expect((await pin(gh.app, 'prod', { mode: 'advisory' })).status).toBe(201);
    for (let i = 0; i < 3; i++) {
      const res = await evaluate(gh.app, { stage: 'prod', content: CONTENT.pass });
      expect(res.status).toBe(200);
      expect(res.body.audit_ok).toBe(true);
    }
    const scrape = (await request(gh.app).get('/metrics')).text;
    expect(sample(scrape, 'gatehouse_audit_batches_total{path="long_way"}')).toBe(1);
    expect(sample(scrape, 'gatehouse_audit_batches_total{path="one_trip"}')).toBe(2);
    expect(sample(scrape, 'gatehouse_audit_batches_total{path="failed"}')).toBe(0);
    expect(sample(scrape, 'gatehouse_audit_batch_rows_count')).toBe(3);
    expect(sample(scrape, 'gatehouse_audit_batch_rows_sum')).toBe(3);
    expect(sample(scrape, 'gatehouse_audit_commit_seconds_count')).toBe(3);
    const seconds = sample(scrape, 'gatehouse_audit_commit_seconds_sum')!;
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(5);
  });
});
