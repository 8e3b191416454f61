/**
 * The outbox's files: segment names, the checksummed line format, reading a
 * sealed segment back, and durable writes (fdatasync of files and folders).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { AuditRow } from './audit-store.js';

export class OutboxClosedError extends Error {
  constructor() {
    super('the audit outbox is closed');
    this.name = 'OutboxClosedError';
  }
}

export const SEGMENT = /^segment-\d+-\d+\.jsonl$/;

export interface Segment {
  file: string;
  /** Rows (lines) it holds. */
  rows: number;
}

/**
 * Inserts the rows of one sealed segment in chunks of `batch`; a line that fails its checksum is
 * skipped, and the segment counts as damaged when such a line is not its last (not a torn tail).
 */
export async function replaySegment(
  file: string,
  insert: (rows: AuditRow[]) => Promise<void>,
  batch: number,
  closed: () => boolean,
): Promise<{ rows: number; skipped: number; damaged: boolean }> {
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
      if (chunk.length >= batch) {
        // Closing stops a long replay between chunks; the segment stays for the next start.
        if (closed()) throw new OutboxClosedError();
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

/** Segments left by earlier runs, oldest first, with their line counts. */
export async function existingSegments(dir: string): Promise<Segment[]> {
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

export async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
