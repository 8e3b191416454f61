/**
 * The default pack's own tests (rules/qa/tests/*.yaml) as vitest cases, so that a change to a
 * check, a lexicon or the engine that breaks a reviewer's case fails `npm test`; and the CLI
 * that reviewers run on pull requests.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { loadPack, loadPackTests, runPackTests } from '../../engine/index.js';

const pack = await loadPack('rules/qa');
const cases = await loadPackTests('rules/qa');
const results = await runPackTests(pack, cases);

describe('rules/qa pack tests', () => {
  it('ships at least 80 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(80);
  });

  it.each(results.map((r) => [`${r.case.file}:${r.case.line ?? 0} ${r.case.name}`, r] as const))('%s', (_name, result) => {
    expect(result.problems).toEqual([]);
  });
});

const run = promisify(execFile);
const cli = 'dist/server/cli.js';

describe('gatehouse check and test on rules/', () => {
  beforeAll(() => {
    // dist/ is built by `npm ci` / `npm install` (prepare); without it the CLI cannot run.
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  });

  it('check exits 0 and names the pack with its hash', async () => {
    const { stdout } = await run('node', [cli, 'check', 'rules/']);
    expect(stdout).toContain(`ok   qa@2.0.0 ${pack.hash}`);
  });

  it('test exits 0 with every case passing', async () => {
    const { stdout } = await run('node', [cli, 'test', 'rules/']);
    expect(stdout.trim().split('\n').at(-1)).toBe(`${cases.length} passed, 0 failed`);
  });
});

describe('gatehouse eval', () => {
  it('--jsonl answers one line per input line, in order, with metadata passed through', async () => {
    const { spawnSync } = await import('node:child_process');
    const input = [
      { id: 'a', content: 'A calm post about gardening.' },
      { id: 'b', content: 'This is f.u.c.k.i.n.g great' },
      { id: 'c', content: 'Weekly roundup', metadata: { required_tags: ['#AI'] } },
    ];
    const out = spawnSync('node', [cli, 'eval', '--pack', 'rules/qa', '--jsonl'], {
      input: `${input.map((l) => JSON.stringify(l)).join('\n')}\nnot json\n`,
      encoding: 'utf8',
    });
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.id ?? null, l.decision ?? (l.error as { code: string }).code])).toEqual([
      ['a', 'PASS'],
      ['b', 'FAIL'],
      ['c', 'FAIL'],
      [null, 'INVALID_REQUEST'],
    ]);
    expect((lines[2]!.violations as { code: string }[]).map((v) => v.code)).toEqual(['POLICY_TAG_MISSING']);
    expect(out.status).toBe(1);
  });

  it('prints the decision and the fix for a text argument', async () => {
    const out = await run('node', [cli, 'eval', '--pack', 'rules/qa', 'I will kill you']).catch((e: { stdout: string; code: number }) => e);
    expect(out.stdout).toMatch(/^FAIL {2}qa@2\.0\.0/);
    expect(out.stdout).toContain('VIOLENT_THREAT');
  });
});
