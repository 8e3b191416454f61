/**
 * `gatehouse check DIR…` and `gatehouse test DIR…`: what a reviewer's CI runs
 * on rules/. check validates and compiles every pack, loads its tests, measures its
 * worst case per evaluation (worst-case.ts) and runs the lexicon collision finder over
 * the system's dictionaries; test runs every
 * pack's tests/*.yaml. Both use the engine's public index only.
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { loadPack, loadPackTests, packDirs, runPackTests } from '../index.js';
import { findCollisionsCached, formatCollision, loadWordLists, type WordList } from './collisions.js';
import { printPackError, stdio, type CommandIo } from './command-io.js';
import { CommandLine } from './command-line.js';
import { measureWorstCase } from './worst-case.js';

const DEFAULT_WORDLISTS = '/usr/share/dict';
// The server's defaults: a short post is at most 500 characters, a request at most 100 posts.
const PROBE_CHARS = 500;
const PROBE_POSTS = 100;

/** `gatehouse check [--no-collisions] [--wordlists DIR] DIR…` */
export async function checkCommand(args: string[], io: CommandIo = stdio): Promise<number> {
  const cli = new CommandLine(io);
  const program = new Command('gatehouse check')
    .description('validate and compile every pack under each DIR (a pack folder or a rules folder of packs), load its tests, ' +
      'and run the lexicon collision finder over the dictionaries')
    .argument('<DIR...>', 'pack folders, or folders of packs')
    .option('--no-collisions', 'skip the lexicon collision finder')
    .option('--wordlists <DIR>', 'where the dictionaries are (Debian: wamerican, wbritish, wfrench, …)', DEFAULT_WORDLISTS)
    .option(
      '--max-worst-ms <ms>',
      `refuse a pack whose slowest probe of ${PROBE_CHARS} characters (engine/tooling/worst-case.ts) takes longer than this`,
      (value: string) => positiveNumber('--max-worst-ms', value),
      250,
    )
    .action(cli.action((dirs: string[], flags: CheckFlags) => check(dirs, flags, io)));
  return cli.run(program, args);
}

interface CheckFlags {
  collisions: boolean;
  wordlists: string;
  maxWorstMs: number;
}

function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} takes a positive number of milliseconds, not "${value}"`);
  return n;
}

async function check(args: string[], flags: CheckFlags, io: CommandIo): Promise<number> {
  const dirs = await expandDirs(args, io);
  if (typeof dirs === 'number') return dirs;
  let failed = 0;
  let words: WordList[] | undefined;
  for (const dir of dirs) {
    try {
      const pack = await loadPack(dir);
      await loadPackTests(dir);
      if (flags.collisions) {
        if (!words) {
          const { lists, missing } = loadWordLists(flags.wordlists);
          if (missing.length > 0) {
            io.err(
              `collision finder: word lists missing under ${flags.wordlists}: apt-get install ${missing.join(' ')} ` +
                '(or run `gatehouse check --no-collisions`)',
            );
            return 1;
          }
          words = lists;
        }
        const collisions = findCollisionsCached(pack.resolved, words, path.join(tmpdir(), 'gatehouse-collisions'));
        if (collisions.length > 0) {
          failed++;
          collisions.forEach((c) => io.err(`${dir}: ${formatCollision(c)}`));
          continue;
        }
      }
      // Measured last, so the figure is of code the earlier steps already warmed.
      const worst = await measureWorstCase(pack, PROBE_CHARS, PROBE_POSTS, flags.maxWorstMs);
      const cost = `worst case ${worst.ms < 10 ? worst.ms.toFixed(1) : Math.round(worst.ms)} ms per ${PROBE_CHARS} characters`;
      if (worst.ms > flags.maxWorstMs) {
        failed++;
        io.err(
          `${dir}: too slow: the probe "${worst.probe}" of ${PROBE_CHARS} characters ${worst.projected ? 'projects to' : 'takes'} ` +
            `${Math.round(worst.ms)} ms (limit ${flags.maxWorstMs} ms, --max-worst-ms). Every post pays for every pattern, ` +
            'phrase set and model: look for a check that repeats a costly detector, or raise the limit if this figure is expected.',
        );
        continue;
      }
      io.out(`ok   ${pack.id}@${pack.version} ${pack.hash} (${pack.checks.length} checks, ${cost}) ${dir}`);
    } catch (error) {
      if (!printPackError(error, io)) throw error;
      failed++;
    }
  }
  return failed > 0 ? 1 : 0;
}

/** `gatehouse test DIR…` */
export async function testCommand(args: string[], io: CommandIo = stdio): Promise<number> {
  const cli = new CommandLine(io);
  const program = new Command('gatehouse test')
    .description("run every pack's tests/*.yaml under each DIR (a pack folder or a rules folder of packs)")
    .argument('<DIR...>', 'pack folders, or folders of packs')
    .action(cli.action((dirs: string[]) => runTests(dirs, io)));
  return cli.run(program, args);
}

async function runTests(args: string[], io: CommandIo): Promise<number> {
  const dirs = await expandDirs(args, io);
  if (typeof dirs === 'number') return dirs;
  let passed = 0;
  let failed = 0;
  for (const dir of dirs) {
    try {
      const pack = await loadPack(dir);
      const results = await runPackTests(pack, await loadPackTests(dir));
      for (const r of results) {
        if (r.passed) passed++;
        else {
          failed++;
          io.out(`FAIL ${r.case.file}:${r.case.line ?? 0} ${r.case.name}: ${r.problems.join('; ')} (got ${r.decision} [${r.codes.join(', ')}])`);
        }
      }
    } catch (error) {
      if (!printPackError(error, io)) throw error;
      failed++;
    }
  }
  io.out(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

/** Every pack folder under the arguments (a pack folder, or a rules folder of packs); an exit code when there is none. */
async function expandDirs(args: string[], io: CommandIo): Promise<string[] | number> {
  const dirs: string[] = [];
  for (const arg of args) {
    try {
      dirs.push(...(await packDirs(arg)));
    } catch (error) {
      if (!printPackError(error, io)) throw error;
      return 1;
    }
  }
  if (dirs.length === 0) {
    io.err(`no pack folders (with pack.yaml) under ${args.join(', ')}`);
    return 1;
  }
  return dirs;
}
