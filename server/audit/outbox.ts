/**
 * The durable local outbox: audit rows that could not be committed to the
 * database are appended here, flushed to disk (fdatasync) before the
 * evaluation is answered, and replayed into the audit store later.
 *
 * Layout: `dir/segment-<ms>-<seq>.jsonl`, one row per line as
 * `<16 hex of sha-256(json)> <json>\n`. Only the newest segment of the running
 * process is ever appended to; a replay seals it first, so a replay never
 * reads a file that is still growing. A segment is deleted only after every
 * row in it has been inserted: a crash in between replays it again, and the
 * store's `ON CONFLICT (request_id) DO NOTHING` keeps each row exactly once.
 *
 * A crash can tear the last line of a segment (its append was never
 * acknowledged, so no answer depends on it): the checksum rejects it and
 * the replay skips it. Appends never follow a torn line, because a failed
 * write retires its segment and later rows go to a new one.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { acquireDataDirLock, type DataDirLock } from '../db/data-dir-lock.js';
import type { AuditRow } from './audit-store.js';

export const OUTBOX_LOCK_FILE = 'audit-outbox.lock';
const SEGMENT = /^segment-\d+-\d+\.jsonl$/;

export interface OutboxOptions {
  dir: string;
  /** The active segment is sealed once it grows past this size, so replays make progress in steps. @defaultValue 16 MiB */
  maxSegmentBytes?: number;
  /** Rows per insert during a replay. @defaultValue 500 */
  replayBatch?: number;
  /** Told about skipped lines and damaged segments. */
  onDamage?: (info: { segment: string; skipped: number; kept_as: string | null }) => void;
}

export interface ReplayReport {
  /** Rows handed to `insert` (rows already in the store are ignored there). */
  rows: number;
  /** Segments fully replayed and removed. */
  segments: number;
  /** Lines that failed their checksum or did not parse (a torn last line after a crash). */
  skipped: number;
}

export interface AuditOutbox {
  readonly dir: string;
  /** Appends the row; resolves only once it is on disk. Concurrent appends share one write and one fdatasync. */
  append(row: AuditRow): Promise<void>;
  /** Rows on disk not yet replayed (lines counted; a torn line counts until its replay). */
  pending(): number;
  /**
   * Inserts every kept row with `insert`, oldest segment first, and removes each segment once
   * all its rows are in. Rejects with insert's error, keeping the segment that failed (and later
   * ones) for the next replay. One replay at a time: a second call waits for the first.
   */
  replay(insert: (rows: AuditRow[]) => Promise<void>): Promise<ReplayReport>;
  /** Closes the active segment (its rows stay for the next start) and releases the lock. */
  close(): Promise<void>;
}

export class OutboxClosedError extends Error {
  constructor() {
    super('the audit outbox is closed');
    this.name = 'OutboxClosedError';
  }
}

interface Segment {
  file: string;
  /** Rows (lines) it holds. */
  rows: number;
}

interface ActiveSegment extends Segment {
  handle: FileHandle;
  bytes: number;
}

interface QueuedLine {
  line: string;
  resolve(): void;
  reject(error: unknown): void;
}

/** Opens (creating) the outbox folder, takes its lock, and finds the segments left by earlier runs. */
export async function openOutbox(options: OutboxOptions): Promise<AuditOutbox> {
  const dir = path.resolve(options.dir);
  // Rows may hold content (GATEHOUSE_AUDIT_STORE_CONTENT): owner-only, like the data itself.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const lock = acquireDataDirLock(dir, OUTBOX_LOCK_FILE);
  try {
    const sealed = await existingSegments(dir);
    return new FileOutbox(dir, lock, sealed, options);
  } catch (error) {
    lock.release();
    throw error;
  }
}

class FileOutbox implements AuditOutbox {
  private readonly maxSegmentBytes: number;
  private readonly replayBatch: number;
  private active: ActiveSegment | undefined;
  private queue: QueuedLine[] = [];
  private writeScheduled = false;
  private closed = false;
  private seq = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private replaying: Promise<ReplayReport> | undefined;

  constructor(
    readonly dir: string,
    private readonly lock: DataDirLock,
    private readonly sealed: Segment[],
    private readonly options: OutboxOptions,
  ) {
    this.maxSegmentBytes = options.maxSegmentBytes ?? 16 * 1024 * 1024;
    this.replayBatch = Math.max(1, options.replayBatch ?? 500);
  }

  append(row: AuditRow): Promise<void> {
    if (this.closed) return Promise.reject(new OutboxClosedError());
    const line = encodeLine(row);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ line, resolve, reject });
      if (this.writeScheduled) return;
      this.writeScheduled = true;
      void this.exclusive(() => this.writeQueued());
    });
  }

  pending(): number {
    return this.sealed.reduce((n, s) => n + s.rows, 0) + (this.active?.rows ?? 0);
  }

  replay(insert: (rows: AuditRow[]) => Promise<void>): Promise<ReplayReport> {
    this.replaying ??= this.replayAll(insert).finally(() => {
      this.replaying = undefined;
    });
    return this.replaying;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.replaying?.catch(() => undefined);
      await this.exclusive(() => this.sealActive());
    } finally {
      this.lock.release();
    }
  }

  /** File operations (writes, sealing) run one at a time, in order. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Group commit: every line queued since the last write goes in one write and one fdatasync. */
  private async writeQueued(): Promise<void> {
    this.writeScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    try {
      const segment = await this.activeSegment();
      const bytes = Buffer.from(batch.map((q) => q.line).join(''), 'utf8');
      await writeAll(segment.handle, bytes);
      await segment.handle.datasync();
      segment.bytes += bytes.length;
      segment.rows += batch.length;
    } catch (error) {
      // The write may have torn a line: retire this segment so that no row is ever appended after it.
      await this.sealActive().catch(() => undefined);
      for (const q of batch) q.reject(error);
      return;
    }
    for (const q of batch) q.resolve();
    if (this.active && this.active.bytes >= this.maxSegmentBytes) await this.sealActive();
  }

  private async activeSegment(): Promise<ActiveSegment> {
    if (this.active) return this.active;
    const name = `segment-${String(Date.now()).padStart(15, '0')}-${String(this.seq++).padStart(6, '0')}.jsonl`;
    const file = path.join(this.dir, name);
    const handle = await open(file, 'a', 0o600);
    // The new file's directory entry must be durable too, or an acknowledged row could vanish with it.
    await syncDir(this.dir);
    this.active = { file, rows: 0, handle, bytes: 0 };
    return this.active;
  }

  private async sealActive(): Promise<void> {
    const active = this.active;
    if (!active) return;
    this.active = undefined;
    await active.handle.close();
    if (active.bytes > 0) this.sealed.push({ file: active.file, rows: active.rows });
    else await unlink(active.file).catch(() => undefined);
  }

  private async replayAll(insert: (rows: AuditRow[]) => Promise<void>): Promise<ReplayReport> {
    const report: ReplayReport = { rows: 0, segments: 0, skipped: 0 };
    // Seal under the write lock: appends that come later start a new segment, untouched by this replay.
    if (!this.closed) await this.exclusive(() => this.sealActive());
    while (this.sealed.length > 0) {
      const segment = this.sealed[0]!;
      const result = await this.replaySegment(segment.file, insert);
      report.rows += result.rows;
      report.skipped += result.skipped;
      await this.retire(segment.file, result);
      this.sealed.shift();
      report.segments += 1;
    }
    return report;
  }

  private async replaySegment(file: string, insert: (rows: AuditRow[]) => Promise<void>) {
    let rows = 0;
    let skipped = 0;
    let damaged = false;
    let lastLineBad = false;
    let chunk: AuditRow[] = [];
    const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (line === '') continue;
        // A bad line followed by another line is not a torn tail: the segment is damaged.
        if (lastLineBad) damaged = true;
        const row = decodeLine(line);
        lastLineBad = row === undefined;
        if (!row) {
          skipped += 1;
          continue;
        }
        chunk.push(row);
        if (chunk.length >= this.replayBatch) {
          // Closing stops a long replay between chunks; the segment stays for the next start.
          if (this.closed) throw new OutboxClosedError();
          await insert(chunk);
          rows += chunk.length;
          chunk = [];
        }
      }
    } finally {
      lines.close();
    }
    if (chunk.length > 0) {
      await insert(chunk);
      rows += chunk.length;
    }
    return { rows, skipped, damaged };
  }

  /** A replayed segment is deleted; one with bad lines before its end is kept aside for a human. */
  private async retire(file: string, result: { skipped: number; damaged: boolean }): Promise<void> {
    let keptAs: string | null = null;
    if (result.damaged) {
      keptAs = `${file}.damaged`;
      await rename(file, keptAs);
    } else {
      await unlink(file);
    }
    await syncDir(this.dir);
    if (result.skipped > 0) this.options.onDamage?.({ segment: path.basename(file), skipped: result.skipped, kept_as: keptAs && path.basename(keptAs) });
  }
}

/** Segments left by earlier runs, oldest first, with their line counts. */
async function existingSegments(dir: string): Promise<Segment[]> {
  const names = (await readdir(dir)).filter((n) => SEGMENT.test(n)).sort();
  const segments: Segment[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    segments.push({ file, rows: await countLines(file) });
  }
  return segments;
}

/** Newlines in a file, read as bytes: cheap even for a large outbox, no parsing at start. */
async function countLines(file: string): Promise<number> {
  let count = 0;
  for await (const chunk of createReadStream(file)) {
    const bytes = chunk as Buffer;
    for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) count += 1;
  }
  return count;
}

export function encodeLine(row: AuditRow): string {
  const json = JSON.stringify(row);
  return `${digest(json)} ${json}\n`;
}

/** The row of one line, or undefined when the line is torn, corrupt or not a row. */
export function decodeLine(line: string): AuditRow | undefined {
  const space = line.indexOf(' ');
  if (space !== 16) return undefined;
  const json = line.slice(space + 1);
  if (digest(json) !== line.slice(0, space)) return undefined;
  try {
    const parsed = JSON.parse(json) as Record<string, unknown>;
    if (typeof parsed?.request_id !== 'string' || typeof parsed.created_at !== 'string') return undefined;
    const createdAt = new Date(parsed.created_at);
    if (Number.isNaN(createdAt.getTime())) return undefined;
    return { ...(parsed as unknown as AuditRow), created_at: createdAt };
  } catch {
    return undefined;
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
