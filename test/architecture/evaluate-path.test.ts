// docs/architecture.md walks POST /v1/evaluate: at most 8 hops, and every file it names exists
// and stays under 250 lines, so that the walk can be read end to end and stays true.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const doc = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
const walk = /<!-- evaluate-path:[^>]*-->([^]*?)<!-- \/evaluate-path -->/.exec(doc)?.[1] ?? '';
const files = [...new Set([...walk.matchAll(/`((?:server|contract|engine|client)\/[\w./-]+\.ts)`/g)].map((m) => m[1]!))];

describe('the evaluate path in docs/architecture.md', () => {
  it('is walked in at most 8 hops', () => {
    const hops = walk.match(/^\d+\. /gm) ?? [];
    expect(hops.length).toBeGreaterThan(0);
    expect(hops.length).toBeLessThanOrEqual(8);
  });

  it('names files that exist, each under 250 lines', () => {
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((f) => !existsSync(path.join(ROOT, f)))).toEqual([]);
    const long = files
      .map((f) => ({ file: f, lines: readFileSync(path.join(ROOT, f), 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > 250)
      .map((f) => `${f.file}: ${f.lines} lines`);
    expect(long).toEqual([]);
  });
});
