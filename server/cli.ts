#!/usr/bin/env node
/**
 * The `gatehouse` command: pack tooling (check, test, eval) and the service
 * (serve, migrate). Thin glue: the work lives in engine/ and server/.
 */
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatIssue, loadPack, PackError, evaluate, loadPackTests, runPackTests } from '../engine/index.js';
import { packDirs } from '../engine/load.js';
import { findCollisionsCached, formatCollision, loadWordLists, type WordList } from '../engine/tooling/collisions.js';

const USAGE = `usage: gatehouse <command>
  check [--no-collisions] [--wordlists DIR] DIR…   validate and compile every pack under DIR, then run the
                                   lexicon collision finder over the dictionaries in /usr/share/dict
  test DIR…                        run every pack's tests/*.yaml
  eval --pack DIR [--json] [--explain] [--platform P] [TEXT]   evaluate TEXT (or stdin); --explain traces phrase rules and guards
  eval --pack DIR --jsonl          one {"id","content"} per stdin line → one decision line each
  diff OLD NEW --corpus FILE.jsonl [--format markdown|json] [--fail-on-change]   policy impact of a pack change
  score --pack DIR --corpus FILE|DIR [--format text|json|markdown] [--min-recall R] [--max-fp R] [--floors FILE] [--summary]
                                   recall and false positives per label and family on a labelled corpus
  schemas [--write]                check (or rewrite) engine/schema/*.json from the TypeBox schemas
  serve                            start the HTTP service (same as npm start)
  migrate                          apply database migrations
  keys list|rotate [--revoke]      receipt signing keys: list them, or rotate to a new one
  report readiness --stage S [--window 72h] [--format json|text]   readiness (burn-in) report and verdict
  audit prune --older-than 30d --export DIR | --no-export | --dry-run   retention: archive, verify, delete`;

type Out = (line: string) => void;
const print: Out = (line) => process.stdout.write(`${line}\n`);
const printErr: Out = (line) => process.stderr.write(`${line}\n`);

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'check':
      return checkCommand(rest);
    case 'test':
      return testCommand(rest);
    case 'eval':
      return evalCommand(rest);
    case 'diff': {
      const { diffCommand } = await import('./packs/diff-command.js');
      return diffCommand(rest);
    }
    case 'score': {
      const { scoreCommand } = await import('../engine/tooling/score-command.js');
      return scoreCommand(rest, { out: print, err: printErr });
    }
    case 'schemas':
      return schemasCommand(rest.includes('--write'));
    case 'serve': {
      const { serve } = await import('./main.js');
      await serve(process.env);
      return -1; // keeps running
    }
    case 'migrate': {
      const { migrateCommand } = await import('./db/migrate-command.js');
      return migrateCommand(process.env);
    }
    case 'keys': {
      const { keysCommand } = await import('./receipts/keys-command.js');
      return keysCommand(rest, process.env);
    }
    case 'report': {
      const { reportCommand } = await import('./reports/report-command.js');
      return reportCommand(rest, process.env);
    }
    case 'audit': {
      const { auditCommand } = await import('./audit/retention/audit-command.js');
      return auditCommand(rest, process.env);
    }
    default:
      printErr(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

async function expandDirs(args: string[]): Promise<string[] | number> {
  if (args.length === 0) {
    printErr('name at least one pack folder or rules folder, e.g. `gatehouse check rules/`');
    return 2;
  }
  const dirs: string[] = [];
  for (const arg of args) {
    try {
      dirs.push(...(await packDirs(arg)));
    } catch (error) {
      if (error instanceof PackError) error.issues.forEach((i) => printErr(formatIssue(i)));
      else throw error;
      return 1;
    }
  }
  if (dirs.length === 0) {
    printErr(`no pack folders (with pack.yaml) under ${args.join(', ')}`);
    return 1;
  }
  return dirs;
}

async function checkCommand(args: string[]): Promise<number> {
  const { flags, rest } = checkFlags(args);
  const dirs = await expandDirs(rest);
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
            printErr(
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
          collisions.forEach((c) => printErr(`${dir}: ${formatCollision(c)}`));
          continue;
        }
      }
      print(`ok   ${pack.id}@${pack.version} ${pack.hash} (${pack.checks.length} checks) ${dir}`);
    } catch (error) {
      if (!(error instanceof PackError)) throw error;
      failed++;
      error.issues.forEach((i) => printErr(formatIssue(i)));
    }
  }
  return failed > 0 ? 1 : 0;
}

/** `--no-collisions` skips the collision finder; `--wordlists DIR` reads the dictionaries elsewhere. */
function checkFlags(args: string[]): { flags: { collisions: boolean; wordlists: string }; rest: string[] } {
  const flags = { collisions: true, wordlists: '/usr/share/dict' };
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--no-collisions') flags.collisions = false;
    else if (args[i] === '--wordlists' && args[i + 1]) flags.wordlists = args[++i]!;
    else rest.push(args[i]!);
  }
  return { flags, rest };
}

async function testCommand(args: string[]): Promise<number> {
  const dirs = await expandDirs(args);
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
          print(`FAIL ${r.case.file}:${r.case.line ?? 0} ${r.case.name}: ${r.problems.join('; ')} (got ${r.decision} [${r.codes.join(', ')}])`);
        }
      }
    } catch (error) {
      if (!(error instanceof PackError)) throw error;
      failed++;
      error.issues.forEach((i) => printErr(formatIssue(i)));
    }
  }
  print(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

async function evalCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      pack: { type: 'string' },
      json: { type: 'boolean', default: false },
      jsonl: { type: 'boolean', default: false },
      platform: { type: 'string' },
      explain: { type: 'boolean', default: false },
    },
  });
  if (!values.pack) {
    printErr('--pack DIR is required, e.g. `gatehouse eval --pack rules/qa "some text"`');
    return 2;
  }
  let pack;
  try {
    pack = await loadPack(values.pack);
  } catch (error) {
    if (!(error instanceof PackError)) throw error;
    error.issues.forEach((i) => printErr(formatIssue(i)));
    return 1;
  }
  if (values.jsonl) return evalJsonl(pack, values.platform);
  const text = positionals.length > 0 ? positionals.join(' ') : await readStdin();
  const decision = await evaluate(pack, { content: text, platform: values.platform }, { explain: values.explain });
  if (values.json) print(JSON.stringify(decision, null, 2));
  else {
    print(`${decision.decision}  ${pack.id}@${pack.version}`);
    for (const v of [...decision.violations, ...decision.warnings]) {
      const where = v.span ? ` [${v.span[0]}, ${v.span[1]})` : '';
      print(`  ${v.severity.padEnd(5)} ${v.code} post ${v.post}${where}: ${v.message}`);
      print(`        fix: ${v.suggestedFix}`);
    }
    // Why: every phrase match, and the ones a context guard set aside.
    for (const t of decision.trace ?? []) {
      const verdict = t.outcome === 'matched' ? 'matched' : `suppressed by guard ${t.guard}`;
      print(`  trace ${t.check}: rule ${t.rule} ${verdict} at post ${t.post} [${t.span[0]}, ${t.span[1]})`);
    }
  }
  return decision.decision === 'PASS' ? 0 : 1;
}

/** Batch mode: answers keep input order; a bad line gets an error line, never stops the batch. */
async function evalJsonl(pack: Awaited<ReturnType<typeof loadPack>>, platform: string | undefined): Promise<number> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let bad = 0;
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    let item: { id?: unknown; content?: unknown; platform?: unknown; metadata?: unknown };
    try {
      item = JSON.parse(line) as typeof item;
    } catch {
      bad++;
      print(JSON.stringify({ line: lineNumber, error: { code: 'INVALID_REQUEST', message: 'line is not JSON' } }));
      continue;
    }
    const content = item.content;
    if (typeof content !== 'string' && !(Array.isArray(content) && content.every((c) => typeof c === 'string'))) {
      bad++;
      print(JSON.stringify({ id: item.id, error: { code: 'INVALID_REQUEST', message: 'content must be a string or an array of strings' } }));
      continue;
    }
    const decision = await evaluate(pack, {
      content,
      platform: typeof item.platform === 'string' ? item.platform : platform,
      metadata: isRecord(item.metadata) ? item.metadata : undefined,
    });
    print(JSON.stringify({ id: item.id, ...decision }));
  }
  return bad > 0 ? 1 : 0;
}

/** The JSON files editors use for `$schema`; generated so they never drift from the validator. */
async function schemasCommand(write: boolean): Promise<number> {
  const { schemaDocuments } = await import('../engine/schema-documents.js');
  const { readFile, writeFile } = await import('node:fs/promises');
  let stale = 0;
  for (const [name, doc] of Object.entries(schemaDocuments())) {
    const file = new URL(`../../engine/schema/${name}`, import.meta.url);
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    const current = await readFile(file, 'utf8').catch(() => '');
    if (current === text) continue;
    if (write) {
      await writeFile(file, text);
      print(`wrote engine/schema/${name}`);
    } else {
      stale++;
      printErr(`engine/schema/${name} is stale: run \`npx gatehouse schemas --write\``);
    }
  }
  return stale > 0 ? 1 : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    printErr(`gatehouse: ${(error as Error).message ?? String(error)}`);
    process.exitCode = 1;
  },
);
