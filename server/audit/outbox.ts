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
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { acquireDataDirLock, type DataDirLock } from '../db/data-dir-lock.js';
import type { AuditRow } from './audit-store.js';
import { encodeLine, existingSegments, OutboxClosedError, replaySegment, syncDir, writeAll, type Segment } from './outbox-segments.js';

// The line format is part of the outbox's contract (tests read and write it).
export { decodeLine, encodeLine, OutboxClosedError } from './outbox-segments.js';

export const OUTBOX_LOCK_FILE = 'audit-outbox.lock';

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
  const lock = acquireDataDirLock(dir, OUTBOX_LOCK_FILE, `The audit outbox ${dir}`);
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
      const result = await replaySegment(segment.file, insert, this.replayBatch, () => this.closed);
      report.rows += result.rows;
      report.skipped += result.skipped;
      await this.retire(segment.file, result);
      this.sealed.shift();
      report.segments += 1;
    }
    return report;
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
