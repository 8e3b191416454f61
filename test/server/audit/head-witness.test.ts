// The head witness logs each chain's furthest head once per interval and at close; `audit verify
// --heads` reads those log lines back, or an earlier `verify --format json` report.
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import type { ChainHead } from '../../../server/audit/audit-chain.js';
import { readHeads } from '../../../server/audit/audit-verify-command.js';
import { createHeadWitness, HEAD_LOG_MESSAGE } from '../../../server/audit/head-witness.js';

const hash = (c: string) => c.repeat(64);

function setup(intervalMs: number) {
  const lines: string[] = [];
  const flushed: number[] = [];
  // A destination that buffers as the server's does (decision 20): pino calls its flush.
  const stream = Object.assign(new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }), {
    flush: (done: () => void) => (flushed.push(lines.length), done()),
  });
  const logger = pino({ level: 'info' }, stream);
  let listener: ((heads: ChainHead[]) => void) | undefined;
  const store = { watchHeads: (l: (heads: ChainHead[]) => void) => ((listener = l), () => (listener = undefined)) };
  const witness = createHeadWitness({ store, logger, intervalMs });
  return { lines, flushed, witness, commit: (heads: ChainHead[]) => listener?.(heads), watching: () => listener !== undefined };
}

describe('head witness', () => {
  it('logs the furthest head of each chain once per interval, and the last ones at close', () => {
    vi.useFakeTimers();
    try {
      const { lines, flushed, witness, commit, watching } = setup(60_000);
      commit([{ chain: 'prod', seq: 5, row_hash: hash('a') }, { chain: 'dev', seq: 2, row_hash: hash('b') }]);
      commit([{ chain: 'prod', seq: 9, row_hash: hash('c') }]);
      commit([{ chain: 'prod', seq: 7, row_hash: hash('d') }]); // another instance's, older: not the head
      expect(lines).toEqual([]);
      vi.advanceTimersByTime(60_000);
      const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logged.map(({ msg, chain, seq, row_hash }) => ({ msg, chain, seq, row_hash }))).toEqual([
        { msg: HEAD_LOG_MESSAGE, chain: 'prod', seq: 9, row_hash: hash('c') },
        { msg: HEAD_LOG_MESSAGE, chain: 'dev', seq: 2, row_hash: hash('b') },
      ]);
      // Written out of the log's buffer right after the lines.
      expect(flushed).toEqual([2]);
      // Nothing new: nothing logged at the next tick.
      vi.advanceTimersByTime(60_000);
      expect(lines).toHaveLength(2);
      expect(flushed).toEqual([2]);
      commit([{ chain: 'dev', seq: 3, row_hash: hash('e') }]);
      witness.close();
      expect(JSON.parse(lines[2]!)).toMatchObject({ chain: 'dev', seq: 3 });
      expect(watching()).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('logs nothing and does not watch when its interval is 0', () => {
    const { lines, witness, commit, watching } = setup(0);
    expect(watching()).toBe(false);
    commit([{ chain: 'prod', seq: 1, row_hash: hash('a') }]);
    witness.close();
    expect(lines).toEqual([]);
  });
});

describe('readHeads', () => {
  it('reads the head lines out of a service log, skipping every other line', () => {
    const log = [
      '{"level":30,"msg":"listening","port":8080}',
      `{"level":30,"msg":"${HEAD_LOG_MESSAGE}","chain":"prod","seq":9,"row_hash":"${hash('c')}"}`,
      'not json at all',
      `{"level":30,"msg":"${HEAD_LOG_MESSAGE}","chain":"dev","seq":3,"row_hash":"nothex"}`,
    ].join('\n');
    expect(readHeads(log)).toEqual([{ chain: 'prod', seq: 9, row_hash: hash('c') }]);
  });

  it('reads the heads of an earlier `verify --format json` report', () => {
    const report = { ok: true, chains: [{ chain: 'prod', head: { seq: 4, row_hash: hash('f'), request_id: 'r' } }, { chain: 'old', head: null }] };
    expect(readHeads(JSON.stringify(report, null, 2))).toEqual([{ chain: 'prod', seq: 4, row_hash: hash('f') }]);
  });
});
