// Retention on PGlite and PostgreSQL: rows older than the cut are archived (gzip JSONL + manifest),
// verified, then deleted; the archive gives them back exactly; a failed export deletes nothing.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createAgentRunStore, type AgentRun } from '../../../server/audit/agent-run-store.js';
import { createAuditStore, type AuditRow } from '../../../server/audit/audit-store.js';
import { toNumber } from '../../../server/db/driver-values.js';
import {
  ArchiveError, MANIFEST_FILE, readArchivedRows, restoreArchive, verifyArchive, writeArchive, type ArchiveManifest,
} from '../../../server/audit/retention/audit-archive.js';
import { auditCommand } from '../../../server/audit/retention/audit-command.js';
import { deleteOlderThan, PruneMismatchError, pruneAudit } from '../../../server/audit/retention/audit-prune.js';
import { verifyAuditChain } from '../../../server/audit/audit-verify.js';
import { auditRow } from '../../helpers/audit-rows.js';
import { databaseKinds, emptyTables, useDatabase } from '../../helpers/databases.js';

const DAY = 86_400_000;
const NOW = new Date('2026-03-01T12:00:00.000Z');
const CUT = new Date(NOW.getTime() - 30 * DAY); // 2026-01-30T12:00Z
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY);

// Old rows carry the awkward values: unicode, quotes, newlines, nested JSON, nulls, fractions, a thread.
const OLD_AUDIT: AuditRow[] = [
  auditRow({ request_id: 'old-1', created_at: daysAgo(45), decision: 'FAIL', allowed: false, violation_codes: ['PROFANITY', 'LINE_TOO_LONG'],
    violations: [{ code: 'PROFANITY', severity: 'block', post: 1, span: [3, 7], evidence: 'f**k', message: 'Ünïcödé "quoted"\nline' }],
    content: 'Line one\nLine "two" — ✓ 🚀', content_kind: 'thread', latency_ms: 12.345678, response: { nested: { a: [1, 2.5, null, 'x'] }, audit_ok: true } }),
  auditRow({ request_id: 'old-2', created_at: daysAgo(31), receipt_id: null, workflow_id: null, agent: null, platform: null, latency_ms: 0.1 }),
  auditRow({ request_id: 'old-3', created_at: new Date(CUT.getTime() - 1), mode: 'advisory', content_kind: 'text' }),
  auditRow({ request_id: 'old-4', created_at: daysAgo(60), stage: 'dev', mode: 'off', decision: 'SKIPPED' }),
  auditRow({ request_id: 'old-5', created_at: daysAgo(90), latency_ms: 1999.999 }),
];
const NEW_AUDIT: AuditRow[] = [
  auditRow({ request_id: 'new-1', created_at: CUT }), // exactly at the cut: kept
  auditRow({ request_id: 'new-2', created_at: daysAgo(1) }),
  auditRow({ request_id: 'new-3', created_at: daysAgo(29) }),
];
const run = (workflow: string, created_at: Date, success = true): AgentRun => ({
  workflow_id: workflow, agent: 'writer', start_ms: created_at.getTime(), end_ms: created_at.getTime() + 1_500, success,
  failure_reason: success ? null : 'timeout "upstream"', caller: 'env-evaluator', created_at,
});
const OLD_RUNS = [run('wf-1', daysAgo(40)), run('wf-2', daysAgo(35), false), run('wf-3', daysAgo(31))];
const NEW_RUNS = [run('wf-4', daysAgo(2)), run('wf-5', CUT)];

const tmpDirs: string[] = [];
function tmp(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-retention-'));
  tmpDirs.push(dir);
  return dir;
}
afterAll(() => tmpDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe.each(databaseKinds)('audit retention on %s', (kind) => {
  const database = useDatabase(kind);
  const knex = () => database().db.knex;
  const ids = async (table: string, key: string) => (await knex()(table).select(key).orderBy(key)).map((r: Record<string, unknown>) => String(r[key]));
  const count = async (table: string) => toNumber((await knex()(table).count({ n: '*' }))[0]!.n);

  beforeEach(async () => {
    await emptyTables(database().db);
    await createAuditStore(knex()).insertMany([...OLD_AUDIT, ...NEW_AUDIT]);
    const runs = createAgentRunStore(knex());
    for (const r of [...OLD_RUNS, ...NEW_RUNS]) await runs.insert(r);
  });

  it('archives, verifies, then deletes only rows older than the cut; the archive gives them back exactly', async () => {
    const parent = tmp();
    const result = await pruneAudit({ knex: knex(), database: database().db.kind, cut: CUT, archive: { parentDir: parent }, olderThan: '30d', now: () => NOW });
    expect(result.deleted).toEqual({ audit_events: 5, agent_runs: 3 });
    expect(await ids('audit_events', 'request_id')).toEqual(['new-1', 'new-2', 'new-3']);
    expect((await knex()('agent_runs').select('workflow_id').orderBy('workflow_id')).map((r) => r.workflow_id)).toEqual(['wf-4', 'wf-5']);

    // The archive folder: two gzip files and a manifest whose counts and hashes match the bytes on disk.
    const dir = result.archive!.dir;
    expect(path.dirname(dir)).toBe(parent);
    expect(readdirSync(dir).sort()).toEqual(['agent_runs.jsonl.gz', 'audit_events.jsonl.gz', MANIFEST_FILE]);
    const manifest = JSON.parse(readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as ArchiveManifest;
    expect(manifest).toMatchObject({ format: 'gatehouse-audit-archive/1', cut: CUT.toISOString(), older_than: '30d', database: kind });
    for (const f of manifest.files) {
      const gz = readFileSync(path.join(dir, f.file));
      expect(sha256(gz)).toBe(f.sha256);
      expect(gz.length).toBe(f.bytes);
      const jsonl = gunzipSync(gz);
      expect(sha256(jsonl)).toBe(f.jsonl_sha256);
      expect(jsonl.toString('utf8').split('\n').filter(Boolean)).toHaveLength(f.rows);
    }
    expect(manifest.files.map((f) => [f.table, f.rows, f.min_created_at, f.max_created_at])).toEqual([
      ['audit_events', 5, daysAgo(90).toISOString(), new Date(CUT.getTime() - 1).toISOString()],
      ['agent_runs', 3, daysAgo(40).toISOString(), daysAgo(31).toISOString()],
    ]);

    // Read back from the gzip JSONL: every exported row, every field, as it was written.
    const archived: Record<string, unknown>[] = [];
    for await (const r of readArchivedRows(dir, 'audit_events')) archived.push(r);
    expect(archived.map((r) => r.request_id)).toEqual(['old-5', 'old-4', 'old-1', 'old-2', 'old-3']);
    for (const original of OLD_AUDIT) {
      const line = archived.find((r) => r.request_id === original.request_id)!;
      const { created_at, content_kind, ...rest } = original;
      // Every column of the row (toMatchObject: a column added by a later migration does not break this).
      expect({ ...line, created_at: new Date(String(line.created_at)).toISOString() }).toMatchObject({
        ...rest, content_kind: content_kind ?? null, created_at: created_at.toISOString(),
      });
    }
    const runs: Record<string, unknown>[] = [];
    for await (const r of readArchivedRows(dir, 'agent_runs')) runs.push(r);
    expect(runs.map(({ id: _id, created_at, ...r }) => ({ ...r, created_at: new Date(String(created_at)).toISOString() }))).toEqual(
      OLD_RUNS.map((r) => ({ ...r, created_at: r.created_at!.toISOString() })),
    );

    // …and recoverable: restored through the database, the rows read back through the store unchanged.
    expect(await restoreArchive(knex(), dir)).toEqual({ audit_events: 5, agent_runs: 3 });
    const store = createAuditStore(knex());
    for (const original of OLD_AUDIT) {
      const { content_kind, ...rest } = original;
      expect(await store.get(original.request_id)).toEqual(content_kind ? original : rest);
    }
    expect(await count('agent_runs')).toBe(5);
    // Restoring twice adds nothing.
    expect(await restoreArchive(knex(), dir)).toEqual({ audit_events: 0, agent_runs: 0 });
  });

  it('deletes nothing when the export cannot be written', async () => {
    const parent = tmp();
    const notADir = path.join(parent, 'a-file');
    writeFileSync(notADir, 'x');
    await expect(pruneAudit({ knex: knex(), database: database().db.kind, cut: CUT, archive: { parentDir: path.join(notADir, 'archive') } })).rejects.toThrow(ArchiveError);
    // An archive folder that exists already is never written into either.
    const first = await writeArchive(knex(), { parentDir: parent, cut: CUT, database: database().db.kind });
    await expect(pruneAudit({ knex: knex(), database: database().db.kind, cut: CUT, archive: { parentDir: parent } })).rejects.toThrow(/already exists|EEXIST/);
    expect(first.manifest.files.map((f) => f.rows)).toEqual([5, 3]);
    expect(await count('audit_events')).toBe(8);
    expect(await count('agent_runs')).toBe(5);
  });

  it('refuses an archive that does not read back as written, and a delete that does not match the archive', async () => {
    const { dir, manifest } = await writeArchive(knex(), { parentDir: tmp(), cut: CUT, database: database().db.kind });
    await expect(verifyArchive(dir)).resolves.toEqual(manifest);

    // A row older than the cut arrives after the export (a late report): the delete is rolled back.
    await createAgentRunStore(knex()).insert(run('wf-late', daysAgo(40)));
    await expect(deleteOlderThan(knex(), CUT, manifest)).rejects.toThrow(PruneMismatchError);
    expect(await count('audit_events')).toBe(8);
    expect(await count('agent_runs')).toBe(6);

    // A damaged file is caught when read back.
    const file = path.join(dir, 'audit_events.jsonl.gz');
    const bytes = readFileSync(file);
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(file, bytes);
    await expect(verifyArchive(dir)).rejects.toThrow(ArchiveError);
  });

  it('leaves an old audit row replayed after newer ones for the next prune: only a prefix of each hash chain goes', async () => {
    // An outbox replay of a 40-day-old row: it is committed after the new rows, at the head of its chain.
    await createAuditStore(knex()).insertMany([auditRow({ request_id: 'late-replay', created_at: daysAgo(40) })]);
    const result = await pruneAudit({ knex: knex(), database: database().db.kind, cut: CUT, archive: { parentDir: tmp() }, now: () => NOW });
    expect(result.deleted).toEqual({ audit_events: 5, agent_runs: 3 });
    expect(await ids('audit_events', 'request_id')).toEqual(['late-replay', 'new-1', 'new-2', 'new-3']);
    // The chain the prune cut still verifies: it starts at the checkpoint the prune recorded.
    expect((await verifyAuditChain(knex())).ok).toBe(true);
    // Once the rows before it have aged out, it goes too.
    const later = new Date(NOW.getTime() + 60 * DAY);
    const next = await pruneAudit({ knex: knex(), database: database().db.kind, cut: new Date(later.getTime() - 30 * DAY), archive: { parentDir: tmp() }, now: () => later });
    expect(next.deleted.audit_events).toBe(4);
    expect((await verifyAuditChain(knex())).ok).toBe(true);
  });

  it('`gatehouse audit prune` refuses to delete without --export unless --no-export is given', async () => {
    const err: string[] = [];
    const io = { out: () => undefined, err: (l: string) => void err.push(l) };
    expect(await auditCommand(['prune', '--older-than', '30d'], {}, io)).toBe(2);
    expect(err.join('\n')).toMatch(/--export DIR/);
    expect(await auditCommand(['prune', '--older-than', '30m', '--no-export'], {}, io)).toBe(2);
    expect(await auditCommand(['prune', '--older-than', '30d', '--export', '/tmp/x', '--no-export'], {}, io)).toBe(2);
    expect(await auditCommand(['prune'], {}, io)).toBe(2);
    expect(await count('audit_events')).toBe(8);
  });

  it.runIf(kind === 'postgres')('`gatehouse audit prune --export` and `--no-export` against DATABASE_URL', async () => {
    const out: string[] = [];
    const io = { out: (l: string) => void out.push(l), err: (l: string) => void out.push(l) };
    const env = { DATABASE_URL: database().url! };
    const now = () => NOW;
    expect(await auditCommand(['prune', '--older-than', '30d', '--dry-run', '--format', 'json'], env, io, now)).toBe(0);
    expect(JSON.parse(out.join('\n'))).toEqual({ cut: CUT.toISOString(), dry_run: true, would_delete: { audit_events: 5, agent_runs: 3 } });

    out.length = 0;
    const parent = tmp();
    expect(await auditCommand(['prune', '--older-than', '30d', '--export', parent, '--format', 'json'], env, io, now)).toBe(0);
    const printed = JSON.parse(out.join('\n'));
    expect(printed.deleted).toEqual({ audit_events: 5, agent_runs: 3 });
    out.length = 0;
    expect(await auditCommand(['verify', printed.archive], env, io)).toBe(0);
    expect(out.join('\n')).toMatch(/^ok .*audit_events 5 rows, agent_runs 3 rows/);

    // Nothing older left: a second run writes no archive and deletes nothing.
    out.length = 0;
    expect(await auditCommand(['prune', '--older-than', '30d', '--no-export'], env, io, now)).toBe(0);
    expect(out.join('\n')).toContain('audit_events 0, agent_runs 0');
    expect(await count('audit_events')).toBe(3);
  });
});
