// The `gatehouse` command as a newcomer meets it (issue 16): `--help` on every command and
// subcommand prints help and does nothing else. The commands are found by reading the help
// itself, so that one added later is covered without touching this file. They run against a
// fresh PostgreSQL database that must stay unmigrated and a data dir that must stay absent.
// Runs the built command (`node dist/server/cli.js`), as CI and reviewers do.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDatabase, type TestDatabase } from '../helpers/databases.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'dist/server/cli.js');
const NO_DATA_DIR = path.join(tmpdir(), `gatehouse-cli-help-${process.pid}-absent`);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function gatehouse(args: string[], env: Record<string, string>): Run {
  // The child sees only the database this test names, never one from the developer's shell.
  const { DATABASE_URL: _url, GATEHOUSE_DATA_DIR: _dir, ...rest } = process.env;
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...rest, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** As gatehouse(), without waiting: the help of every command runs a few at a time. */
function gatehouseAsync(args: string[], env: Record<string, string>): Promise<Run> {
  const { DATABASE_URL: _url, GATEHOUSE_DATA_DIR: _dir, ...rest } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...rest, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `tasks` with at most `limit` at once, answering their results in order. */
async function inBatches<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < tasks.length; i += limit) results.push(...(await Promise.all(tasks.slice(i, i + limit).map((t) => t()))));
  return results;
}

/** The subcommand names of a help text's `Commands:` section (without `help`). */
function commandsIn(help: string): string[] {
  const section = help.split('\n\n').find((part) => part.startsWith('Commands:')) ?? '';
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((name) => name !== 'help');
}

describe('gatehouse --help', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  const tree: string[][] = [];

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
    database = await makeDatabase('postgres', { migrate: false });
    env = { DATABASE_URL: database.url!, GATEHOUSE_DATA_DIR: NO_DATA_DIR };
    // Every command and subcommand, breadth first, read from the help of its parent.
    const queue: string[][] = [[]];
    while (queue.length > 0) {
      const command = queue.shift()!;
      tree.push(command);
      const run = gatehouse([...command, '--help'], env);
      for (const sub of commandsIn(run.stdout)) queue.push([...command, sub]);
    }
  }, 300_000);

  afterAll(async () => {
    await database?.cleanup();
  });

  it('finds every command and the subcommands of keys, report and audit', () => {
    const names = tree.map((c) => c.join(' '));
    for (const name of ['check', 'test', 'eval', 'diff', 'score', 'schemas', 'init', 'serve', 'migrate', 'keys list', 'report readiness', 'audit prune']) {
      expect(names).toContain(name);
    }
  });

  it('prints help and exits 0 on every command and subcommand, with a PostgreSQL database and a PGlite data dir', async () => {
    const targets = [env, { GATEHOUSE_DATA_DIR: NO_DATA_DIR }];
    const runs = await inBatches(
      tree.flatMap((command) => targets.map((target) => async () => ({ command, run: await gatehouseAsync([...command, '--help'], target) }))),
      4,
    );
    for (const { command, run } of runs) {
      expect({ command, code: run.code, stderr: run.stderr }).toEqual({ command, code: 0, stderr: '' });
      expect(run.stdout).toMatch(new RegExp(`^Usage: gatehouse${command.map((c) => ` ${c}`).join('')} `));
    }
    // `gatehouse help X` is `gatehouse X --help`.
    const top = tree.filter((c) => c.length === 1);
    const viaHelp = await inBatches(top.map((command) => () => gatehouseAsync(['help', command[0]!], env)), 4);
    top.forEach((command, i) => expect(viaHelp[i]!.stdout, command[0]).toBe(runs.find((r) => r.command === command)!.run.stdout));
  }, 600_000);

  it('did nothing: no table in the database, no data dir', async () => {
    const tables = await database.db.knex.raw("select table_name from information_schema.tables where table_schema = 'public'");
    expect((tables as { rows: unknown[] }).rows).toEqual([]);
    expect(existsSync(NO_DATA_DIR)).toBe(false);
  });
});

describe('gatehouse usage errors', () => {
  const env = { GATEHOUSE_DATA_DIR: NO_DATA_DIR };

  it('an unknown command or option exits 2 with the usage and a did-you-mean', () => {
    const cases: Array<[string[], RegExp]> = [
      [['chek', 'rules/'], /unknown command 'chek'\n\(Did you mean check\?\)/],
      [['check', '--no-colisions', 'rules/'], /unknown option '--no-colisions'\n\(Did you mean --no-collisions\?\)/],
      [['keys', 'rotat'], /unknown command 'rotat'\n\(Did you mean rotate\?\)/],
      [['audit', 'prune', '--older-then', '30d'], /unknown option '--older-then'\n\(Did you mean --older-than\?\)/],
      [['migrate', '--force'], /unknown option '--force'/],
    ];
    for (const [args, message] of cases) {
      const run = gatehouse(args, env);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toMatch(/^usage: gatehouse /m);
      expect(run.stdout).toBe('');
    }
    expect(existsSync(NO_DATA_DIR)).toBe(false);
  }, 120_000);

  it('no command prints the help on stderr and exits 2; --version prints the package version', () => {
    const bare = gatehouse([], env);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/^Usage: gatehouse /);
    const version = gatehouse(['--version'], env);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });
});

describe('gatehouse into a pipe its reader closed', () => {
  it('stops quietly, as `gatehouse eval … | head -1` expects, without an EPIPE stack trace', async () => {
    const lines = Array.from({ length: 4000 }, (_, i) => JSON.stringify({ id: `p${i}`, content: `post number ${i} is about lunch` })).join('\n');
    const child = spawn(process.execPath, [CLI, 'eval', '--pack', 'rules/qa', '--jsonl'], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // The reader takes one chunk and goes away, as `head -1` does.
    child.stdout.once('data', () => child.stdout.destroy());
    // It may stop before reading all of its input: that pipe closes too.
    child.stdin.on('error', () => {});
    child.stdin.end(lines);
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 60_000);
});
