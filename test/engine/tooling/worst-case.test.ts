// A pack's worst case per evaluation (issue 13, finding 2): the probes have the sizes the server
// allows, the measure reports the slowest, a hopeless pack stops at a tenth-size probe, and
// `gatehouse check` prints the figure and refuses a pack over --max-worst-ms.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPack, type CompiledPack } from '../../../engine/index.js';
import type { CommandIo } from '../../../engine/tooling/command-io.js';
import { checkCommand } from '../../../engine/tooling/pack-commands.js';
import { costProbes, measureWorstCase } from '../../../engine/tooling/worst-case.js';

const MINIMAL = path.resolve(import.meta.dirname, '../../fixtures/packs/valid/minimal');
let pack: CompiledPack;

beforeAll(async () => {
  pack = await loadPack(MINIMAL);
});

function capture(): { io: CommandIo; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { io: { out: (line) => stdout.push(line), err: (line) => stderr.push(line) }, stdout, stderr };
}

describe('worst-case probes', () => {
  it('fill the given size, the thread probe with the given number of posts, one probe with the pack\'s own terms', () => {
    const probes = costProbes(pack, 500, 100);
    for (const { name, input } of probes) {
      if (typeof input.content === 'string') expect(input.content, name).toHaveLength(500);
      else {
        expect(input.content, name).toHaveLength(100);
        expect(input.content.every((post) => post.length === 5), name).toBe(true);
      }
    }
    expect(probes.find((p) => p.name === "the pack's terms")!.input.content).toMatch(/darn heck frick/);
  });

  it('reports the slowest probe, measured in full when it is under the limit', async () => {
    const worst = await measureWorstCase(pack, 500, 100, 10_000);
    expect(worst.ms).toBeGreaterThan(0);
    expect(costProbes(pack, 500, 100).map((p) => p.name)).toContain(worst.probe);
    expect(worst.projected).toBeUndefined();
  });

  it('stops at the tenth-size probe once that projects ten times past the limit', async () => {
    const worst = await measureWorstCase(pack, 500, 100, 1e-9);
    expect(worst.projected).toBe(true);
    expect(worst.probe).toBe('a. repeated');
  });
});

describe('gatehouse check measures every pack', () => {
  it('prints the worst case per 500 characters', async () => {
    const { io, stdout } = capture();
    expect(await checkCommand(['--no-collisions', MINIMAL], io)).toBe(0);
    expect(stdout.join('\n')).toMatch(/^ok {3}minimal@0\.1\.0 sha256:\w+ \(3 checks, worst case \d+(\.\d)? ms per 500 characters\)/);
  });

  it('refuses a pack over --max-worst-ms, naming the probe and the limit', async () => {
    const { io, stdout, stderr } = capture();
    expect(await checkCommand(['--no-collisions', '--max-worst-ms', '0.000001', MINIMAL], io)).toBe(1);
    expect(stdout).toEqual([]);
    expect(stderr.join('\n')).toMatch(/too slow: the probe "a\. repeated" of 500 characters projects to \d+ ms \(limit 0\.000001 ms, --max-worst-ms\)/);
  });
});
