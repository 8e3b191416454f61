// `gatehouse eval` refuses what would silently PASS (issue 16): a platform the pack does not know
// (a typo gets no length rule at all), and empty input. Text mode says what revealed a match.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evalCommand } from '../../../engine/tooling/eval-command.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const PACK = path.join(ROOT, 'test/fixtures/packs/qa-1.0.0');

async function run(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await evalCommand(args, { out: (l) => void out.push(l), err: (l) => void err.push(l) });
  return { code, out, err };
}

describe('gatehouse eval', () => {
  it('an unknown platform is an error (exit 2) that lists the platforms the pack knows', async () => {
    const r = await run(['--pack', PACK, '--platform', 'myspace', 'hello there']);
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err.join('\n')).toBe('gatehouse eval: unknown platform "myspace": qa@1.0.0 knows bluesky, linkedin, mastodon, threads, x');
  });

  it('a known platform applies its rules', async () => {
    const r = await run(['--pack', PACK, '--platform', 'x', 'a'.repeat(281)]);
    expect(r.code).toBe(1);
    expect(r.out.join('\n')).toContain('LENGTH_EXCEEDED');
  });

  it('empty or blank input is an error, not a PASS', async () => {
    for (const text of ['', '   \n']) {
      const r = await run(['--pack', PACK, text]);
      expect(r.code).toBe(2);
      expect(r.out).toEqual([]);
      expect(r.err.join('\n')).toMatch(/nothing to evaluate/);
    }
  });

  it('text mode shows what revealed an obfuscated match', async () => {
    const r = await run(['--pack', PACK, 'Total sh1t show today']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('        revealed by: leetspeak');
  });

  it('--jsonl answers an error line for an unknown platform or empty content and goes on', async () => {
    // Only the per-line checks: stdin is the test runner's, so the batch itself runs in the built CLI below.
    const cli = path.join(ROOT, 'dist/server/cli.js');
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
    const input = ['{"id":"a","content":"hi","platform":"myspace"}', '{"id":"b","content":"  "}', '{"id":"c","content":"hi"}'].join('\n');
    const batch = spawnSync(process.execPath, [cli, 'eval', '--pack', PACK, '--jsonl'], { input, encoding: 'utf8' });
    const lines = batch.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; decision?: string; error?: { message: string } });
    expect(lines.map((l) => [l.id, l.decision ?? l.error?.message])).toEqual([
      ['a', 'unknown platform "myspace": qa@1.0.0 knows bluesky, linkedin, mastodon, threads, x'],
      ['b', 'content is empty'],
      ['c', 'PASS'],
    ]);
    expect(batch.status).toBe(1);
    const empty = spawnSync(process.execPath, [cli, 'eval', '--pack', PACK], { input: '', encoding: 'utf8' });
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/nothing to evaluate/);
  });
});
