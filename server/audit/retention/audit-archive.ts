/**
 * Audit archives: the rows retention is about to remove, written as gzip
 * JSONL (one row per line, as the database serialises it with to_jsonb, so
 * every column of the table is kept whatever migrations added), with a
 * manifest of counts and SHA-256 hashes, then read back and checked before
 * anything is deleted.
 *
 * Layout: `DIR/audit-before-<cut>/{audit_events,agent_runs}.jsonl.gz` and
 * `manifest.json`. The manifest also holds a fingerprint of each file's row
 * keys (the sum of the first 60 bits of SHA-256 of each key), computed the
 * same way by the database over the rows a DELETE removes: the prune commits
 * only if the rows it deleted are exactly the rows in the verified file.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { Knex } from 'knex';

export const ARCHIVE_FORMAT = 'gatehouse-audit-archive/1';
export const MANIFEST_FILE = 'manifest.json';
const PAGE = 1_000;

/** A table retention prunes: rows older than the cut by `created_at`, keyed by `key`. */
export interface PrunedTable {
  table: 'audit_events' | 'agent_runs';
  key: 'request_id' | 'id';
  /** The row as one JSON text, computed by the database (alias `t`). */
  json: string;
  /**
   * Which rows older than the cut go, beyond `created_at < cut` (alias `t`, `?` = the chain
   * bounds as jsonb): for audit_events a prefix of each hash chain, exactly as
   * gatehouse_prune_audit() deletes it (see the migration 20261202140000).
   */
  chained: boolean;
}

export const PRUNED_TABLES: readonly PrunedTable[] = [
  { table: 'audit_events', key: 'request_id', json: 'to_jsonb(t)::text', chained: true },
  // A bigint id as a JSON string: JSON numbers past 2^53 would not survive a JavaScript reader.
  { table: 'agent_runs', key: 'id', json: "(to_jsonb(t) || jsonb_build_object('id', t.id::text))::text", chained: false },
];

/** Per chain, the seq below which rows go (the database's gatehouse_audit_prune_bounds), as jsonb text. */
export async function chainBounds(knex: Knex, cut: Date): Promise<string> {
  const { rows } = await knex.raw(
    "SELECT coalesce(jsonb_object_agg(b.chain, b.below_seq), '{}'::jsonb)::text AS bounds FROM gatehouse_audit_prune_bounds(?::timestamptz) b",
    [cut],
  );
  return String(rows[0].bounds);
}

/** The WHERE clause of the rows a prune at `cut` removes from `t`, and its bindings. */
export function prunedRows(t: PrunedTable, cut: Date, bounds: string): { sql: string; bindings: Knex.RawBinding[] } {
  if (!t.chained) return { sql: 't.created_at < ?', bindings: [cut] };
  return { sql: 't.created_at < ? AND (t.chain IS NULL OR t.seq < (?::jsonb ->> t.chain)::bigint)', bindings: [cut, bounds] };
}

export interface ArchiveFile {
  table: PrunedTable['table'];
  file: string;
  key: PrunedTable['key'];
  rows: number;
  /** SHA-256 (hex) of the .gz file as written. */
  sha256: string;
  bytes: number;
  /** SHA-256 (hex) of the decompressed JSONL. */
  jsonl_sha256: string;
  /** Sum of keyFingerprint over the rows' keys, as a decimal string. */
  key_fingerprint: string;
  min_created_at: string | null;
  max_created_at: string | null;
}

export interface ArchiveManifest {
  format: typeof ARCHIVE_FORMAT;
  created_at: string;
  /** Rows with created_at strictly before this time. */
  cut: string;
  older_than: string | null;
  database: 'postgres' | 'pglite';
  files: ArchiveFile[];
}

export class ArchiveError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArchiveError';
  }
}

/** The first 60 bits of SHA-256 of a key: summed over a set of rows, the same figure in SQL (keyFingerprintSql) and here. */
export function keyFingerprint(key: string): bigint {
  return BigInt(`0x${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 15)}`);
}

/** SQL of the same fingerprint over a text expression. */
export function keyFingerprintSql(textExpr: string): string {
  return `(('x' || substr(encode(sha256(convert_to(${textExpr}, 'UTF8')), 'hex'), 1, 15))::bit(60)::bigint)`;
}

export function archiveDirName(cut: Date): string {
  return `audit-before-${cut.toISOString().replace(/:/g, '-')}`;
}

/**
 * Writes the archive of every row older than `cut` into a new folder under `parentDir` and
 * returns its manifest. Fails (and deletes nothing: this only reads the database) when the
 * folder exists already or anything cannot be written.
 */
export async function writeArchive(
  knex: Knex,
  opts: { parentDir: string; cut: Date; olderThan?: string; database: 'postgres' | 'pglite'; now?: () => Date },
): Promise<{ dir: string; manifest: ArchiveManifest }> {
  const dir = path.join(opts.parentDir, archiveDirName(opts.cut));
  try {
    await mkdir(opts.parentDir, { recursive: true });
    // Not recursive: an existing archive folder is never written into.
    await mkdir(dir);
  } catch (error) {
    throw new ArchiveError(`cannot create the archive folder ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const files = await knex.transaction(async (trx) => {
    // One snapshot for both tables, and timestamps written in UTC whatever the server's zone.
    await trx.raw('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    await trx.raw("SET LOCAL TIME ZONE 'UTC'");
    const bounds = await chainBounds(trx, opts.cut);
    const written: ArchiveFile[] = [];
    for (const table of PRUNED_TABLES) written.push(await writeTable(trx, table, dir, opts.cut, bounds));
    return written;
  });
  const manifest: ArchiveManifest = {
    format: ARCHIVE_FORMAT,
    created_at: (opts.now?.() ?? new Date()).toISOString(),
    cut: opts.cut.toISOString(),
    older_than: opts.olderThan ?? null,
    database: opts.database,
    files,
  };
  await writeDurably(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  await syncDir(dir);
  return { dir, manifest };
}

async function writeTable(trx: Knex.Transaction, t: PrunedTable, dir: string, cut: Date, bounds: string): Promise<ArchiveFile> {
  const file = `${t.table}.jsonl.gz`;
  const target = path.join(dir, file);
  const jsonlHash = createHash('sha256');
  const fileHash = createHash('sha256');
  let fingerprint = 0n;
  let rows = 0;
  let min: string | null = null;
  let max: string | null = null;

  const gzip = createGzip();
  const out = createWriteStream(target, { flags: 'wx' });
  const written = pipeline(gzip, hashTap(fileHash), out);
  // Keyset pages in (created_at, key) order: memory stays flat however many rows there are.
  let after: { created_at: string; key: string } | undefined;
  try {
    for (;;) {
      const where = prunedRows(t, cut, bounds);
      const { rows: page } = await trx.raw(
        `SELECT ${t.json} AS line, t.created_at::text AS created_at, t.${t.key}::text AS key
           FROM ${t.table} t
          WHERE ${where.sql}${after ? ` AND (t.created_at, t.${t.key}) > (?::timestamptz, ?::${t.key === 'id' ? 'bigint' : 'text'})` : ''}
          ORDER BY t.created_at, t.${t.key}
          LIMIT ${PAGE}`,
        after ? [...where.bindings, after.created_at, after.key] : where.bindings,
      );
      for (const r of page as { line: string; created_at: string; key: string }[]) {
        const line = Buffer.from(`${r.line}\n`, 'utf8');
        jsonlHash.update(line);
        fingerprint += keyFingerprint(r.key);
        rows++;
        if (!gzip.write(line)) await new Promise((resolve) => gzip.once('drain', resolve));
      }
      if (page.length > 0) {
        const first = JSON.parse(page[0].line).created_at as string;
        const last = JSON.parse(page[page.length - 1].line).created_at as string;
        min ??= first;
        max = last;
        after = { created_at: page[page.length - 1].created_at, key: page[page.length - 1].key };
      }
      if (page.length < PAGE) break;
    }
    gzip.end();
    await written;
  } catch (error) {
    gzip.destroy();
    await written.catch(() => undefined);
    throw new ArchiveError(`cannot write ${target}: ${(error as Error).message}`, { cause: error });
  }
  await syncFile(target);
  return {
    table: t.table,
    file,
    key: t.key,
    rows,
    sha256: fileHash.digest('hex'),
    bytes: (await stat(target)).size,
    jsonl_sha256: jsonlHash.digest('hex'),
    key_fingerprint: fingerprint.toString(),
    min_created_at: min === null ? null : new Date(min).toISOString(),
    max_created_at: max === null ? null : new Date(max).toISOString(),
  };
}

/**
 * Reads the archive back from disk — manifest, each file's bytes, its decompressed lines —
 * and checks every count, hash and fingerprint against the manifest, and that every row is
 * older than the cut. Returns the manifest when everything matches; throws ArchiveError
 * naming the first difference otherwise.
 */
export async function verifyArchive(dir: string): Promise<ArchiveManifest> {
  const manifest = await readManifest(dir);
  const cut = Date.parse(manifest.cut);
  for (const f of manifest.files) {
    const target = path.join(dir, f.file);
    const fileHash = createHash('sha256');
    const jsonlHash = createHash('sha256');
    let rows = 0;
    let fingerprint = 0n;
    try {
      const lines = createInterface({ input: createReadStream(target).pipe(hashTap(fileHash)).pipe(createGunzip()), crlfDelay: Infinity });
      for await (const line of lines) {
        jsonlHash.update(`${line}\n`, 'utf8');
        const row = JSON.parse(line) as Record<string, unknown>;
        const key = row[f.key];
        if (typeof key !== 'string' && typeof key !== 'number') throw new ArchiveError(`${f.file} line ${rows + 1}: no ${f.key}`);
        if (!(Date.parse(String(row.created_at)) < cut)) throw new ArchiveError(`${f.file} line ${rows + 1}: created_at is not before the cut`);
        fingerprint += keyFingerprint(String(key));
        rows++;
      }
    } catch (error) {
      if (error instanceof ArchiveError) throw error;
      throw new ArchiveError(`cannot read ${target} back: ${(error as Error).message}`, { cause: error });
    }
    const mismatch = (what: string, got: unknown, want: unknown) =>
      new ArchiveError(`${f.file}: ${what} read back is ${String(got)}, the manifest says ${String(want)}`);
    if (fileHash.digest('hex') !== f.sha256) throw mismatch('SHA-256 of the file', 'different', f.sha256);
    if (rows !== f.rows) throw mismatch('row count', rows, f.rows);
    if (jsonlHash.digest('hex') !== f.jsonl_sha256) throw mismatch('SHA-256 of the JSONL', 'different', f.jsonl_sha256);
    if (fingerprint.toString() !== f.key_fingerprint) throw mismatch('key fingerprint', fingerprint, f.key_fingerprint);
  }
  return manifest;
}

export async function readManifest(dir: string): Promise<ArchiveManifest> {
  let manifest: ArchiveManifest;
  try {
    manifest = JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8')) as ArchiveManifest;
  } catch (error) {
    throw new ArchiveError(`cannot read ${path.join(dir, MANIFEST_FILE)}: ${(error as Error).message}`, { cause: error });
  }
  if (manifest.format !== ARCHIVE_FORMAT || !Array.isArray(manifest.files)) {
    throw new ArchiveError(`${path.join(dir, MANIFEST_FILE)} is not a ${ARCHIVE_FORMAT} manifest`);
  }
  return manifest;
}

/** The rows of one archived table, parsed, in file order. */
export async function* readArchivedRows(dir: string, table: PrunedTable['table']): AsyncGenerator<Record<string, unknown>> {
  const manifest = await readManifest(dir);
  const f = manifest.files.find((x) => x.table === table);
  if (!f) throw new ArchiveError(`the archive in ${dir} has no ${table}`);
  const lines = createInterface({ input: createReadStream(path.join(dir, f.file)).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) if (line !== '') yield JSON.parse(line) as Record<string, unknown>;
}

/**
 * Puts archived rows back (an investigation needs them again): verifies the archive, then
 * inserts each row with jsonb_populate_record, so the database parses it exactly as it
 * serialised it; rows still present are skipped. Returns the rows inserted per table.
 */
export async function restoreArchive(knex: Knex, dir: string): Promise<Record<string, number>> {
  await verifyArchive(dir);
  const restored: Record<string, number> = {};
  for (const t of PRUNED_TABLES) {
    let batch: Record<string, unknown>[] = [];
    let inserted = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      // One JSON array per statement (knex would spread a JS array binding into a list).
      const { rows } = await knex.raw(
        `INSERT INTO ${t.table}
         SELECT (jsonb_populate_record(NULL::${t.table}, r.value)).*
           FROM jsonb_array_elements(?::jsonb) AS r
         ON CONFLICT (${t.key}) DO NOTHING
         RETURNING ${t.key}`,
        [JSON.stringify(batch)],
      );
      inserted += rows.length;
      batch = [];
    };
    for await (const row of readArchivedRows(dir, t.table)) {
      batch.push(row);
      if (batch.length >= PAGE) await flush();
    }
    await flush();
    restored[t.table] = inserted;
  }
  return restored;
}

// ---- Files ----------------------------------------------------------------------------------------

/** Passes bytes through unchanged, hashing them on the way. */
function hashTap(hash: Hash): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}

async function writeDurably(file: string, text: string): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// The archive must be on disk, not in the page cache, before the rows it holds are deleted.
async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the files themselves are synced.
  } finally {
    await handle.close();
  }
}
