import { beforeEach, describe, expect, it } from 'vitest';
import { createAgentRunStore } from '../../../server/audit/agent-run-store.js';
import { createAuditStore, type AuditQuery, type AuditRow, type AuditStore } from '../../../server/audit/audit-store.js';
import { AppError } from '../../../server/errors.js';
import { at, auditRow, T0 } from '../../helpers/audit-rows.js';
import { databaseKinds, emptyTables, useDatabase } from '../../helpers/databases.js';

const ids = (rows: AuditRow[]) => rows.map((r) => r.request_id);

/** Every page of a query, following next_cursor to the end. */
async function allPages(store: AuditStore, q: AuditQuery): Promise<{ pages: AuditRow[][]; cursors: (string | null)[] }> {
  const pages: AuditRow[][] = [];
  const cursors: (string | null)[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const page = await store.query({ ...q, cursor });
    pages.push(page.rows);
    cursors.push(page.next_cursor);
    if (page.next_cursor === null) break;
    cursor = page.next_cursor;
  }
  return { pages, cursors };
}

// One database per kind for the whole file: PGlite costs ~5 s and ~500 MB per instance.
describe.each(databaseKinds)('audit stores on %s', (kind) => {
  const database = useDatabase(kind);
  const knex = () => database().db.knex;

  beforeEach(async () => {
    await emptyTables(database().db);
  });

  describe('AuditStore', () => {
    let store: AuditStore;

    beforeEach(() => {
      store = createAuditStore(knex());
    });

    describe('insertMany', () => {
      it('writes every row of a 250-row batch (count: a string in pg, a number in PGlite)', async () => {
        const rows = Array.from({ length: 250 }, (_, i) => auditRow({ request_id: `req-${i}`, created_at: at(i) }));
        await store.insertMany(rows);
        expect(await knex()('audit_events').count({ n: '*' })).toEqual([{ n: kind === 'postgres' ? '250' : 250 }]);
      });

      it('round-trips a full row through get: arrays, jsonb, nulls, fractions, dates', async () => {
        const row = auditRow({
          request_id: 'req-full',
          receipt_id: null,
          created_at: new Date('2026-03-04T05:06:07.891Z'),
          mode: 'advisory',
          decision: 'FAIL',
          allowed: false,
          violation_codes: ['PROFANITY', 'LENGTH_EXCEEDED'],
          violations: [
            { code: 'PROFANITY', check: 'profanity', severity: 'block', post: 2, span: [10, 14], message: 'm', suggestedFix: 'f' },
            { code: 'LENGTH_EXCEEDED', severity: 'warn', post: 1 },
          ],
          content: 'hello “world” 👋',
          content_size: 18,
          workflow_id: null,
          agent: null,
          platform: null,
          latency_ms: 12.375,
          response: { decision: 'FAIL', nested: { list: [1, 'two', null], ok: false } },
        });
        await store.insertMany([row]);
        expect(await store.get('req-full')).toEqual(row);
      });

      it('ignores a request_id that exists already, in a later batch or in the same one', async () => {
        await store.insertMany([auditRow({ request_id: 'a' }), auditRow({ request_id: 'b', stage: 'canary' })]);
        await store.insertMany([
          auditRow({ request_id: 'b', stage: 'replayed' }),
          auditRow({ request_id: 'c' }),
          auditRow({ request_id: 'c', stage: 'duplicate-in-batch' }),
        ]);
        const { rows } = await store.query({ limit: 10 });
        expect(ids(rows).sort()).toEqual(['a', 'b', 'c']);
        expect((await store.get('b'))?.stage).toBe('canary');
        expect((await store.get('c'))?.stage).toBe('prod');
      });

      it('does nothing for an empty batch', async () => {
        await store.insertMany([]);
        expect((await store.query({ limit: 10 })).rows).toEqual([]);
      });

      it('writes batches larger than one statement can bind (2,500 rows)', async () => {
        const rows = Array.from({ length: 2500 }, (_, i) => auditRow({ request_id: `big-${i}`, created_at: at(i) }));
        await store.insertMany(rows);
        const [{ n }] = await knex()('audit_events').count({ n: '*' });
        expect(Number(n)).toBe(2500);
      });
    });

    describe('get', () => {
      it('returns undefined for an unknown request id', async () => {
        expect(await store.get('nope')).toBeUndefined();
      });
    });

    describe('query filters', () => {
      beforeEach(async () => {
        await store.insertMany([
          auditRow({ request_id: 'r1', created_at: at(1000), decision: 'FAIL', allowed: false, violation_codes: ['PROFANITY', 'LENGTH_EXCEEDED'] }),
          auditRow({ request_id: 'r2', created_at: at(2000), workflow_id: 'wf-2' }),
          auditRow({ request_id: 'r3', created_at: at(3000), stage: 'canary', decision: 'FAIL', violation_codes: ['SELF_HARM'] }),
          auditRow({ request_id: 'r4', created_at: at(4000), stage: 'canary', mode: 'off', decision: 'SKIPPED', workflow_id: null }),
          auditRow({ request_id: 'r5', created_at: at(5000), mode: 'advisory', workflow_id: 'wf-2', violation_codes: ['PROFANITY'] }),
        ]);
      });

      it.each<[string, Omit<AuditQuery, 'limit'>, string[]]>([
        ['no filter: newest first', {}, ['r5', 'r4', 'r3', 'r2', 'r1']],
        ['stage', { stage: 'prod' }, ['r5', 'r2', 'r1']],
        ['decision', { decision: 'FAIL' }, ['r3', 'r1']],
        ['code', { code: 'PROFANITY' }, ['r5', 'r1']],
        ['code matching nothing', { code: 'TOS_SPAM' }, []],
        ['workflow_id', { workflow_id: 'wf-1' }, ['r3', 'r1']],
        ['from (inclusive)', { from: at(3000) }, ['r5', 'r4', 'r3']],
        ['to (exclusive)', { to: at(3000) }, ['r2', 'r1']],
        ['from and to', { from: at(2000), to: at(4000) }, ['r3', 'r2']],
        ['stage + code + decision', { stage: 'prod', code: 'PROFANITY', decision: 'FAIL' }, ['r1']],
      ])('%s', async (_name, filter, expected) => {
        const page = await store.query({ ...filter, limit: 50 });
        expect(ids(page.rows)).toEqual(expected);
        expect(page.next_cursor).toBeNull();
      });

      it('serves the code filter with the GIN index when the planner must use an index', async () => {
        const plan = await knex().transaction(async (trx) => {
          await trx.raw('SET LOCAL enable_seqscan = off');
          return trx.raw("EXPLAIN SELECT * FROM audit_events WHERE violation_codes @> ARRAY['PROFANITY']::text[]");
        });
        expect(JSON.stringify(plan.rows)).toContain('audit_events_violation_codes_idx');
      });
    });

    describe('query paging', () => {
      // 57 rows over 19 distinct timestamps: three rows share each created_at, so the
      // request_id tie-break is what keeps pages apart.
      const rows = Array.from({ length: 57 }, (_, i) =>
        auditRow({ request_id: `p-${String(i).padStart(2, '0')}`, created_at: at(Math.floor(i / 3) * 1000), stage: i % 2 ? 'odd' : 'even' }),
      );
      const newestFirst = [...rows].sort((a, b) => b.created_at.getTime() - a.created_at.getTime() || (a.request_id < b.request_id ? 1 : -1));

      beforeEach(async () => {
        await store.insertMany(rows);
      });

      it('walks every row once, newest first, in pages of 10 with no duplicates or gaps', async () => {
        const { pages, cursors } = await allPages(store, { limit: 10 });
        expect(pages.map((p) => p.length)).toEqual([10, 10, 10, 10, 10, 7]);
        expect(pages.flat().map((r) => r.request_id)).toEqual(ids(newestFirst));
        expect(cursors.at(-1)).toBeNull();
        for (const c of cursors.slice(0, -1)) expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
      });

      it('ends with next_cursor null when the rows fill the last page exactly', async () => {
        const { pages, cursors } = await allPages(store, { limit: 19 });
        expect(pages.map((p) => p.length)).toEqual([19, 19, 19]);
        expect(cursors).toEqual([expect.any(String), expect.any(String), null]);
      });

      it('keeps the filters across pages', async () => {
        const { pages } = await allPages(store, { stage: 'odd', from: at(3000), limit: 4 });
        const expected = newestFirst.filter((r) => r.stage === 'odd' && r.created_at >= at(3000));
        expect(expected).toHaveLength(24);
        expect(pages.flat().map((r) => r.request_id)).toEqual(ids(expected));
      });

      it('does not show rows written after a page was read as duplicates on the next page', async () => {
        const first = await store.query({ limit: 10 });
        await store.insertMany([auditRow({ request_id: 'late', created_at: at(999_000) })]);
        const second = await store.query({ limit: 10, cursor: first.next_cursor ?? undefined });
        expect(ids(second.rows)).toEqual(ids(newestFirst.slice(10, 20)));
      });

      it('clamps the page size to 1..1000', async () => {
        expect((await store.query({ limit: 0 })).rows).toHaveLength(1);
        expect((await store.query({ limit: 5000 })).rows).toHaveLength(57);
      });

      it('refuses an invalid from or to with INVALID_REQUEST', async () => {
        await expect(store.query({ limit: 10, from: new Date('garbage') })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
        await expect(store.query({ limit: 10, to: new Date(Number.NaN) })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
      });

      it('refuses a cursor it did not make with INVALID_REQUEST', async () => {
        for (const cursor of ['not a cursor', Buffer.from('["yesterday","x"]').toString('base64url'), Buffer.from('{}').toString('base64url')]) {
          const err = await store.query({ limit: 10, cursor }).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(AppError);
          expect(err).toMatchObject({ code: 'INVALID_REQUEST' });
        }
      });
    });
  });

  describe('AgentRunStore', () => {
    it('appends runs, with the reported created_at or the database time', async () => {
      const knex = database().db.knex;
      const store = createAgentRunStore(knex);
      const before = new Date(Date.now() - 60_000);
      await store.insert({ workflow_id: 'wf-9', agent: 'writer', start_ms: 1_767_225_600_000, end_ms: 1_767_225_601_250, success: true, failure_reason: null, caller: 'key:e1' });
      await store.insert({ workflow_id: 'wf-9', agent: 'critic', start_ms: 1_767_225_602_000, end_ms: 1_767_225_602_500, success: false, failure_reason: 'timeout', caller: 'key:e1', created_at: T0 });
      const rows = await knex('agent_runs').select('*').orderBy('id');
      expect(rows.map((r) => ({ ...r, id: undefined, start_ms: Number(r.start_ms), end_ms: Number(r.end_ms) }))).toEqual([
        { id: undefined, workflow_id: 'wf-9', agent: 'writer', start_ms: 1_767_225_600_000, end_ms: 1_767_225_601_250, success: true, failure_reason: null, caller: 'key:e1', created_at: expect.any(Date) },
        { id: undefined, workflow_id: 'wf-9', agent: 'critic', start_ms: 1_767_225_602_000, end_ms: 1_767_225_602_500, success: false, failure_reason: 'timeout', caller: 'key:e1', created_at: T0 },
      ]);
      expect(rows[0].created_at.getTime()).toBeGreaterThan(before.getTime());
    });
  });
});
