// The server's log destination: lines gathered into larger writes off the event loop (written at
// the latest after LOG_FLUSH_MS, and at exit), or one synchronous write per line when asked.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, LOG_FLUSH_MS, LOG_MAX_WRITE, logDestination } from '../../server/logger.js';

const dirs: string[] = [];
const logFile = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-log-'));
  dirs.push(dir);
  return path.join(dir, 'out.log');
};
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('logDestination', () => {
  it('writes each line at once with a buffer of 0 bytes', () => {
    const file = logFile();
    const logger = createLogger('info', logDestination(0, file));
    logger.info('one');
    expect(lines(file).map((l) => l.msg)).toEqual(['one']);
  });

  it('gathers lines below the buffer size, and writes them on flush or after LOG_FLUSH_MS', async () => {
    const file = logFile();
    const logger = createLogger('info', logDestination(3_072, file));
    await sleep(50); // the file is opened asynchronously
    logger.info('one');
    logger.info('two');
    await sleep(50);
    expect(lines(file)).toEqual([]);
    await sleep(LOG_FLUSH_MS + 200);
    expect(lines(file).map((l) => l.msg)).toEqual(['one', 'two']);
    logger.info('three');
    await new Promise<void>((resolve, reject) => logger.flush((error) => (error ? reject(error) : resolve())));
    expect(lines(file).map((l) => l.msg)).toEqual(['one', 'two', 'three']);
  });

  it('writes once the buffer is full, without waiting', async () => {
    const file = logFile();
    const logger = createLogger('info', logDestination(1_000, file));
    await sleep(50);
    for (let i = 0; i < 20; i++) logger.info({ i, padding: 'x'.repeat(100) }, 'line');
    await sleep(50);
    expect(lines(file).length).toBeGreaterThanOrEqual(7);
  });

  it('writes whole lines, at most LOG_MAX_WRITE bytes a write (one piece on a pipe shared by instances)', async () => {
    const file = logFile();
    const logger = createLogger('info', logDestination(3_072, file));
    await sleep(50);
    const writes: string[] = [];
    const write = fs.write.bind(fs);
    vi.spyOn(fs, 'write').mockImplementation(((fd: number, data: string | Uint8Array, ...rest: unknown[]) => {
      writes.push(String(data));
      return (write as (...args: unknown[]) => void)(fd, data, ...rest);
    }) as typeof fs.write);
    for (let i = 0; i < 60; i++) logger.info({ i, padding: 'x'.repeat(200 + (i % 7) * 40) }, 'line');
    // A flush while a write is under way leaves the tail below the size for the periodic flush.
    await sleep(LOG_FLUSH_MS + 200);
    // (An empty write is how sonic-boom's flush ends when nothing is left.)
    const chunks = writes.filter((chunk) => chunk.length > 0);
    for (const chunk of chunks) {
      expect(Buffer.byteLength(chunk)).toBeLessThanOrEqual(LOG_MAX_WRITE);
      expect(chunk.endsWith('\n')).toBe(true);
    }
    expect(chunks.length).toBeGreaterThan(3);
    expect(lines(file).map((l) => (l as { i?: number }).i)).toEqual([...Array(60).keys()]);
  });
});
