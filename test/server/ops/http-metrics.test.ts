// Prometheus request metrics by route (issue 16): gatehouse_http_requests_total{route,method,status}
// and a duration histogram, labelled with the route's template and never the raw path, counting
// the answers of the key check (401) and the rate limit (429) too; and a /metrics page that
// `promtool check metrics` accepts (prom-client's default `_total` gauges removed).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gatehouse } from '../../../server/compose.js';
import { createMetrics } from '../../../server/ops/metrics.js';
import { routeTemplate, UNMATCHED } from '../../../server/ops/http-metrics.js';
import { isCi, useDatabase } from '../../helpers/databases.js';
import { ADMIN_KEY, EVALUATOR_KEY, auth, buildGatehouse, pin } from '../api/harness.js';

const PROMTOOL = '/usr/bin/promtool';
const database = useDatabase('pglite');
let gh: Gatehouse;

beforeAll(async () => {
  // Three requests a minute per key: the fourth is a 429.
  gh = await buildGatehouse(database().db, { env: { GATEHOUSE_RATE_LIMIT_PER_MINUTE: '3' } });
});
afterAll(async () => {
  await gh?.close();
});

/** `name{labels} value` lines of a scrape, as { labels, value }. */
function samples(text: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`))
    .map((line) => {
      const [, labels, value] = /^[^{]+\{(.*)\} (\S+)$/.exec(line)!;
      return { labels: Object.fromEntries([...labels!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!])), value: Number(value) };
    });
}

describe('HTTP request metrics', () => {
  it('names routes by template: /v1/stages/prod/history is /v1/stages/{stage}/history, an unknown path is unmatched', () => {
    expect(routeTemplate('GET', '/v1/stages/prod/history')).toBe('/v1/stages/{stage}/history');
    expect(routeTemplate('PUT', '/v1/stages/prod')).toBe('/v1/stages/{stage}');
    expect(routeTemplate('GET', '/v1/decisions/6f1c0000-0000-4000-8000-000000000000')).toBe('/v1/decisions/{request_id}');
    expect(routeTemplate('HEAD', '/healthz')).toBe('/healthz');
    expect(routeTemplate('DELETE', '/v1/stages/prod')).toBe(UNMATCHED);
    expect(routeTemplate('GET', '/v1/stages/prod/history/extra')).toBe(UNMATCHED);
    expect(routeTemplate('GET', '/wp-login.php')).toBe(UNMATCHED);
  });

  it('counts by route, method and status, the key check’s 401 and the rate limit’s 429 included, with a duration histogram', async () => {
    expect((await pin(gh.app, 'prod', { mode: 'advisory' })).status).toBe(201);
    await request(gh.app).get('/v1/stages/prod/history'); // no key: 401 from the key check
    for (let i = 0; i < 4; i++) await request(gh.app).get('/v1/stages/prod/history').set(auth(EVALUATOR_KEY)); // 200 ×3, then 429
    await request(gh.app).get('/v1/stages/nowhere/history').set(auth(ADMIN_KEY)); // 404 STAGE_NOT_FOUND
    await request(gh.app).get('/wp-login.php'); // 404 unmatched
    const scrape = (await request(gh.app).get('/metrics')).text;

    const requests = samples(scrape, 'gatehouse_http_requests_total');
    const count = (route: string, method: string, status: string) =>
      requests.find((s) => s.labels.route === route && s.labels.method === method && s.labels.status === status)?.value ?? 0;
    expect(count('/v1/stages/{stage}/history', 'GET', '401')).toBe(1);
    expect(count('/v1/stages/{stage}/history', 'GET', '200')).toBe(3);
    expect(count('/v1/stages/{stage}/history', 'GET', '429')).toBe(1);
    expect(count('/v1/stages/{stage}/history', 'GET', '404')).toBe(1);
    expect(count('/v1/stages/{stage}', 'PUT', '201')).toBe(1);
    expect(count(UNMATCHED, 'GET', '404')).toBe(1);
    // Never a raw path: no stage name, no probe path.
    expect(requests.map((s) => s.labels.route).filter((r) => r !== UNMATCHED && !r.startsWith('/'))).toEqual([]);
    expect(scrape).not.toMatch(/route="[^"]*(prod|nowhere|wp-login)/);

    const buckets = samples(scrape, 'gatehouse_http_request_duration_seconds_bucket').filter((s) => s.labels.route === '/v1/stages/{stage}/history');
    expect(buckets.find((s) => s.labels.le === '+Inf')?.value).toBe(6);
    expect(scrape).toContain('# TYPE gatehouse_http_request_duration_seconds histogram');
  });
});

describe.skipIf(!existsSync(PROMTOOL) && !isCi())('promtool check metrics', () => {
  it('accepts /metrics with the process defaults and the request metrics (no gauge named *_total)', async () => {
    if (!existsSync(PROMTOOL)) throw new Error(`${PROMTOOL} is missing: apt-get install prometheus (.ci/run does). CI is set: this check may not be skipped.`);
    const metrics = createMetrics({ defaultMetrics: true });
    metrics.http.requests.inc({ route: '/v1/evaluate', method: 'POST', status: '200' });
    metrics.http.duration.observe({ route: '/v1/evaluate', method: 'POST' }, 0.012);
    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE nodejs_active_handles gauge');
    const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: check.status, out: `${check.stdout}${check.stderr}` }).toEqual({ status: 0, out: '' });
  });
});
