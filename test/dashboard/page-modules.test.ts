// The page's pure helpers, run in Node: the SSE frame parser (fed in arbitrary chunks) and
// the chart scales. The browser test covers the rest in Chromium.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain browser ES modules, no type declarations (no build step by design).
import { bucketPosition, niceMax } from '../../server/dashboard/public/charts.js';
// @ts-expect-error: as above.
import { frameParser } from '../../server/dashboard/public/sse.js';

const STREAM = 'retry: 3000\n: connected\n\nevent: enforcement\nid: r1\ndata: {"a":1}\n\n: heartbeat 2026\n\ndata: line one\ndata: line two\n\nevent: enforcement\r\ndata: {"b":2}\r\n\r\n';

describe('frameParser', () => {
  it.each([1, 2, 7, 1000])('reads the same frames whatever the chunk size (%i)', (size) => {
    const frames: unknown[] = [];
    const feed = frameParser((f: unknown) => frames.push(f));
    for (let i = 0; i < STREAM.length; i += size) feed(STREAM.slice(i, i + size));
    expect(frames).toEqual([
      { event: 'enforcement', data: '{"a":1}', id: 'r1' },
      { event: 'message', data: 'line one\nline two', id: '' },
      { event: 'enforcement', data: '{"b":2}', id: '' },
    ]);
  });
});

describe('chart scales', () => {
  it('rounds axis maxima up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 11, 240, 5000].map(niceMax)).toEqual([1, 1, 5, 10, 20, 500, 5000]);
  });

  it('places a latency inside its histogram bucket on a log scale', () => {
    const buckets = [{ from_ms: 0, to_ms: 1 }, { from_ms: 1, to_ms: 10 }, { from_ms: 10, to_ms: null }];
    expect(bucketPosition(buckets, 0.5)).toBeCloseTo(0.5);
    expect(bucketPosition(buckets, 1)).toBeCloseTo(1);
    expect(bucketPosition(buckets, Math.sqrt(10))).toBeCloseTo(1.5);
    expect(bucketPosition(buckets, 100)).toBeCloseTo(2.95);
  });
});
