// Issue 4, "No audit row lost": PostgreSQL is stopped in the middle of a load against the real
// server process, then started again. Runs on a throwaway cluster of its own (another port, another
// socket folder), never on the shared server that other test files use at the same time.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConfig } from '../../../server/config.js';
import { clusterUnavailableReason, startThrowawayCluster, type ThrowawayCluster } from '../../helpers/pg-cluster.js';
import { call, killServer, sleep, startServer, stopServer, type ServerProcess } from '../../helpers/server-process.js';
import { auditTotal, metric, startLoad, waitForRows, type Answer } from './load.js';

const ADMIN = 'faults-admin-key-0123456789';
const EVALUATOR = 'faults-evaluator-key-0123456789';

const skipReason = clusterUnavailableReason();
let cluster: ThrowawayCluster | undefined;
let server: ServerProcess | undefined;
let dataDir: string | undefined;

beforeAll(async () => {
  if (skipReason) return;
  dataDir = mkdtempSync(path.join(tmpdir(), 'gh-fault-stop-'));
  cluster = await startThrowawayCluster();
});

// Cleans up whatever happened: the server, the cluster (stopped, folder removed), the data dir.
afterAll(async () => {
  if (server) await killServer(server);
  await cluster?.destroy();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(skipReason !== undefined)('PostgreSQL stopped in the middle of a load', () => {
  it('answers throughout, keeps unrecorded rows in the outbox, and loses none once PostgreSQL is back', async () => {
    server = await startServer({
      DATABASE_URL: cluster!.url,
      GATEHOUSE_DATA_DIR: dataDir!,
      GATEHOUSE_API_KEYS: `admin:${ADMIN},evaluator:${EVALUATOR}`,
      GATEHOUSE_RATE_LIMIT_PER_MINUTE: '0',
      GATEHOUSE_AUDIT_WRITE_TIMEOUT_MS: '200',
      GATEHOUSE_AUDIT_BREAKER_RESET_MS: '300',
    });
    for (const [stage, mode] of [['f-advisory', 'advisory'], ['f-enforced', 'enforced']]) {
      const pinned = await call(server, 'PUT', `/v1/stages/${stage}`, ADMIN, { pack: 'qa', version: '2.0.0', mode });
      expect(pinned.status, `${JSON.stringify(pinned.body)}\n${server.output()}`).toBeLessThan(300);
    }

    const load = startLoad(server.url, EVALUATOR, ['f-advisory', 'f-enforced']);
    await sleep(1_500);
    await cluster!.stop('fast');
    // After pg_ctl returns (it waits for the shutdown), no commit can succeed any more.
    const stoppedAt = Date.now();
    await sleep(1_000);
    // While it is down: the breaker shows in /readyz and /metrics.
    const ready = await fetch(`${server.url}/readyz`);
    const readyBody = (await ready.json()) as { error: { details: { checks: { audit: { breaker: string; outbox_rows: number } } } } };
    const metricsDown = await (await fetch(`${server.url}/metrics`)).text();
    await sleep(500);
    const restartedAt = Date.now();
    await cluster!.start();
    // Back: the breaker's next probe replays the outbox and closes it; the load goes on a little after.
    const metrics = async () => (await fetch(`${server!.url}/metrics`)).text();
    await expect.poll(async () => metric(await metrics(), 'gatehouse_audit_breaker_state{state="closed"}'), { timeout: 15_000, interval: 100 }).toBe(1);
    const closedAt = Date.now();
    await sleep(700);
    const { answers, refused, unanswered } = await load.stop();

    expect(ready.status).toBe(503);
    expect(['open', 'half-open']).toContain(readyBody.error.details.checks.audit.breaker);
    expect(readyBody.error.details.checks.audit.outbox_rows).toBeGreaterThan(0);
    expect(metric(metricsDown, 'gatehouse_audit_breaker_state{state="closed"}')).toBe(0);

    // Every request was answered with a decision, also while PostgreSQL was down.
    expect(refused).toEqual([]);
    expect(unanswered).toBe(0);
    const during = answers.filter((a) => a.at > stoppedAt + 300 && a.at < restartedAt);
    expect(during.length).toBeGreaterThan(20);
    expect(during.filter((a) => a.audit_ok)).toEqual([]);
    expect(Math.max(...during.map((a) => a.latency_ms))).toBeLessThan(1_500);
    expect(answers.some((a) => a.warnings.includes('CIRCUIT_BREAKER_TRIPPED'))).toBe(true);
    checkDeferredAnswers(answers);
    // ...and after the restart the audit store takes rows again.
    expect(answers.filter((a) => a.at > closedAt + 200).some((a) => a.audit_ok)).toBe(true);

    // Every answered request id is in audit_events exactly once, and nothing else is.
    const ids = answers.map((a) => a.request_id);
    const counts = await waitForRows(cluster!.url, ids, 20_000);
    const missing = ids.filter((id) => !counts.has(id));
    expect({ missing: missing.length, missingAuditOk: answers.filter((a) => a.audit_ok && !counts.has(a.request_id)).length }).toEqual({
      missing: 0,
      missingAuditOk: 0,
    });
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(await auditTotal(cluster!.url)).toBe(ids.length);

    expect(await stopServer(server)).toBe(0);
    // This instance's own outbox folder (one per database and port; PORT=0 here).
    const outbox = createConfig({ DATABASE_URL: cluster!.url, GATEHOUSE_DATA_DIR: dataDir!, PORT: '0' }).auditSink.outboxDir;
    expect(readdirSync(outbox).filter((f) => f.startsWith('segment-'))).toEqual([]);
  });
});

/** What an answer without a committed row must look like, by mode. */
function checkDeferredAnswers(answers: Answer[]): void {
  const deferred = answers.filter((a) => !a.audit_ok);
  expect(deferred.length).toBeGreaterThan(0);
  for (const a of deferred) {
    expect(a.receipt).toBe(false);
    if (a.mode === 'enforced') expect({ allowed: a.allowed, error: a.error }).toEqual({ allowed: false, error: 'AUDIT_UNAVAILABLE' });
    else expect({ allowed: a.allowed, warns: a.warnings.includes('AUDIT_UNAVAILABLE') }).toEqual({ allowed: true, warns: true });
  }
  for (const a of answers.filter((x) => x.audit_ok)) expect(a.receipt).toBe(true);
}
