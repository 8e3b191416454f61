// The evaluate + audit path on a real PostgreSQL server (skipped locally when none is reachable; fails under CI).
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditRow } from '../../../server/audit/audit-store.js';
import type { Gatehouse } from '../../../server/compose.js';
import { useDatabase } from '../../helpers/databases.js';
import { ADMIN_KEY, CONTENT, EVALUATOR_KEY, auth, buildGatehouse, evaluate, pin } from './harness.js';

const database = useDatabase('postgres');
let gh: Gatehouse | undefined;

afterAll(() => gh?.close());

describe('on PostgreSQL', () => {
  it('every evaluation leaves exactly one audit row with its policy_version; receipts only when committed', async () => {
    // Correctness, not latency: on a loaded CI machine a group commit of 60 rows once took over the
    // default 1 s write timeout (audit_ok false); the failure path has its own test below.
    gh = await buildGatehouse(database().db, { env: { GATEHOUSE_AUDIT_WRITE_TIMEOUT_MS: '15000' } });
    expect(database().db.kind).toBe('postgres');
    for (const mode of ['off', 'advisory', 'enforced']) expect((await pin(gh.app, `pg-${mode}`, { mode })).status).toBe(201);

    // Concurrent evaluations share group-committed inserts.
    const requests = ['off', 'advisory', 'enforced'].flatMap((mode) =>
      Array.from({ length: 20 }, (_, i) => evaluate(gh!.app, { content: i % 2 ? CONTENT.profane : CONTENT.pass, stage: `pg-${mode}`, workflow_id: 'wf-pg' })),
    );
    const answers = await Promise.all(requests);
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.body.audit_ok).toBe(true);
      expect(a.body.receipt).toEqual(expect.any(String));
    }
    const ids = answers.map((a) => a.body.request_id as string);
    const rows: AuditRow[] = await database().db.knex('audit_events').whereIn('request_id', ids);
    expect(rows).toHaveLength(60);
    expect(rows.every((r) => r.policy_version === '2.0.0' && r.pack_id === 'qa')).toBe(true);
    const byStage = (stage: string, decision: string) => rows.filter((r) => r.stage === stage && r.decision === decision).length;
    expect(byStage('pg-off', 'SKIPPED')).toBe(20);
    expect(byStage('pg-advisory', 'FAIL')).toBe(10);
    expect(byStage('pg-enforced', 'FAIL')).toBe(10);
    expect(rows.filter((r) => r.stage === 'pg-enforced' && r.decision === 'FAIL').every((r) => r.allowed === false)).toBe(true);

    const audit = await request(gh.app).get('/v1/audit').query({ workflow_id: 'wf-pg', code: 'PROFANITY', limit: 500 }).set(auth(ADMIN_KEY));
    expect(audit.body.items).toHaveLength(20);

    const one = answers.find((a) => a.body.stage === 'pg-enforced' && a.body.decision === 'FAIL')!;
    const verified = await request(gh.app).post('/v1/receipts/verify').set(auth(EVALUATOR_KEY)).send({ receipt: one.body.receipt, content: CONTENT.profane });
    expect(verified.body).toMatchObject({ valid: true, allowed_to_post: false });
  });

  it('answers audit_ok false with no receipt while the audit insert fails', async () => {
    const real = gh!.stores.audit;
    const broken = await buildGatehouse(database().db, {
      stores: { audit: { ...real, insertMany: () => Promise.reject(new Error('connection terminated')) } },
    });
    const res = await evaluate(broken.app, { content: CONTENT.pass, stage: 'pg-enforced' });
    expect(res.body).toMatchObject({ audit_ok: false, allowed: false, receipt_id: null, error: { code: 'AUDIT_UNAVAILABLE' } });
    expect(res.body).not.toHaveProperty('receipt');
    expect(await database().db.knex('audit_events').where({ request_id: res.body.request_id })).toHaveLength(0);
    await broken.close();
  });
});
