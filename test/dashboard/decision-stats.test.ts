// The Readiness charts' figures, computed by the database, against a hand count of the same
// seeded rows, on PGlite and on a real PostgreSQL.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAuditStore } from '../../server/audit/audit-store.js';
import { createDecisionStats, LATENCY_BOUNDS_MS } from '../../server/audit/decision-stats.js';
import { at, auditRow } from '../helpers/audit-rows.js';
import { databaseKinds, useDatabase } from '../helpers/databases.js';
import { ADMIN_KEY, EVALUATOR_KEY, auth, buildGatehouse, expectError } from '../server/api/harness.js';

const HOUR = 3_600_000;

// 4 buckets of one hour from T0. Latencies chosen to land in known histogram buckets.
const ROWS = [
  auditRow({ request_id: 'a1', created_at: at(0), decision: 'PASS', latency_ms: 0.5 }),
  auditRow({ request_id: 'a2', created_at: at(10 * 60_000), decision: 'FAIL', allowed: false, violation_codes: ['PROFANITY'], latency_ms: 3 }),
  auditRow({ request_id: 'a3', created_at: at(HOUR + 1), decision: 'FAIL', allowed: false, violation_codes: ['PROFANITY', 'TOS_SPAM'], latency_ms: 12 }),
  auditRow({ request_id: 'a4', created_at: at(HOUR + 2), decision: 'FAIL', mode: 'advisory', allowed: true, violation_codes: ['TOS_SPAM'], latency_ms: 7 }),
  auditRow({ request_id: 'a5', created_at: at(HOUR + 3), decision: 'SKIPPED', mode: 'off', latency_ms: 0.1 }),
  auditRow({ request_id: 'a6', created_at: at(3 * HOUR + 5), decision: 'PASS', latency_ms: 6_000 }),
  // Another stage, and rows outside the window: never counted for stage prod.
  auditRow({ request_id: 'b1', created_at: at(HOUR), stage: 'dev', decision: 'FAIL', allowed: true, violation_codes: ['LINE_TOO_LONG'], latency_ms: 1 }),
  auditRow({ request_id: 'c1', created_at: at(-1), decision: 'FAIL', violation_codes: ['PROFANITY'] }),
  auditRow({ request_id: 'c2', created_at: at(4 * HOUR), decision: 'FAIL', violation_codes: ['PROFANITY'] }),
];

/** percentile_cont: linear interpolation between the closest ranks. */
function percentileCont(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

describe.each(databaseKinds)('decision stats on %s', (kind) => {
  const database = useDatabase(kind);
  beforeAll(async () => {
    await createAuditStore(database().db.knex).insertMany(ROWS);
  });

  it('counts decisions per bucket, the rejection rate, latency percentiles, histogram and top codes as a hand count does', async () => {
    const stats = await createDecisionStats(database().db.knex)({ stage: 'prod', from: at(0), to: at(4 * HOUR), buckets: 4 });
    expect(stats.bucket_seconds).toBe(3600);
    expect(stats.totals).toEqual({ decisions: 6, pass: 2, fail: 3, skipped: 1, blocked: 2, rejection_rate: 0.6 });
    expect(stats.series.map((p) => [p.start, p.decisions, p.pass, p.fail, p.skipped, p.blocked, p.rejection_rate])).toEqual([
      [at(0).toISOString(), 2, 1, 1, 0, 1, 0.5],
      [at(HOUR).toISOString(), 3, 0, 2, 1, 1, 1],
      [at(2 * HOUR).toISOString(), 0, 0, 0, 0, 0, null],
      [at(3 * HOUR).toISOString(), 1, 1, 0, 0, 0, 0],
    ]);

    // Latency of evaluated decisions only (the SKIPPED row's 0.1 ms is left out).
    const evaluated = [0.5, 3, 12, 7, 6_000];
    expect(stats.latency.count).toBe(5);
    expect(stats.latency.p50).toBeCloseTo(percentileCont(evaluated, 0.5), 3);
    expect(stats.latency.p90).toBeCloseTo(percentileCont(evaluated, 0.9), 3);
    expect(stats.latency.p99).toBeCloseTo(percentileCont(evaluated, 0.99), 3);
    expect(stats.latency.max).toBe(6_000);
    const histogram = Object.fromEntries(stats.latency.histogram.filter((b) => b.count > 0).map((b) => [`${b.from_ms}-${b.to_ms}`, b.count]));
    expect(histogram).toEqual({ '0-1': 1, '2-5': 1, '5-10': 1, '10-20': 1, '5000-null': 1 });
    expect(stats.latency.histogram).toHaveLength(LATENCY_BOUNDS_MS.length + 1);

    expect(stats.top_codes).toEqual([
      { code: 'PROFANITY', count: 2 },
      { code: 'TOS_SPAM', count: 2 },
    ]);
  });

  it('covers every stage when none is given, and answers zeros for an empty window', async () => {
    const all = await createDecisionStats(database().db.knex)({ from: at(0), to: at(4 * HOUR), buckets: 2 });
    expect(all.totals.decisions).toBe(7);
    expect(all.series.map((p) => p.decisions)).toEqual([6, 1]);
    expect(all.top_codes[0]).toEqual({ code: 'PROFANITY', count: 2 });

    const none = await createDecisionStats(database().db.knex)({ stage: 'prod', from: at(-10 * HOUR), to: at(-5 * HOUR), buckets: 5 });
    expect(none.totals).toEqual({ decisions: 0, pass: 0, fail: 0, skipped: 0, blocked: 0, rejection_rate: null });
    expect(none.latency).toMatchObject({ count: 0, p50: null, p90: null, p99: null, max: null });
    expect(none.series).toHaveLength(5);
    expect(none.top_codes).toEqual([]);
  });
});

describe('GET /v1/dashboard/stats', () => {
  const database = useDatabase('pglite');

  it('is admin-only and checks its query', async () => {
    const gh = await buildGatehouse(database().db);
    try {
      expectError(await request(gh.app).get('/v1/dashboard/stats'), 401, 'UNAUTHORIZED');
      expectError(await request(gh.app).get('/v1/dashboard/stats').set(auth(EVALUATOR_KEY)), 403, 'FORBIDDEN');
      expectError(await request(gh.app).get('/v1/dashboard/stats?window=100d').set(auth(ADMIN_KEY)), 400, 'INVALID_REQUEST');
      expectError(await request(gh.app).get('/v1/dashboard/stats?window=3w').set(auth(ADMIN_KEY)), 400, 'INVALID_REQUEST');
      expectError(await request(gh.app).get('/v1/dashboard/stats?buckets=0').set(auth(ADMIN_KEY)), 400, 'INVALID_REQUEST');

      const res = await request(gh.app).get('/v1/dashboard/stats?window=24h&buckets=24').set(auth(ADMIN_KEY));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ window: '24h', stage: null, bucket_seconds: 3600, totals: { decisions: 0 } });
      expect(res.body.series).toHaveLength(24);
      // Bucket edges fall on whole hours.
      expect(new Date(res.body.to).getTime() % HOUR).toBe(0);
    } finally {
      await gh.close();
    }
  });
});
