/**
 * Hostile rule packs are refused by `gatehouse check` (exit 1, a located error, within a time
 * bound: never a hang) and at load, where the server still starts and serves the good packs.
 * A pattern that is catastrophic for a backtracking engine is fine under RE2: it loads and
 * evaluates a hostile 50,000-character input quickly.
 *
 * The CLI cases run the built command (`node dist/server/cli.js`), as CI and reviewers do.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate as engineEvaluate, loadPack } from '../../../engine/index.js';
import { MAX_LEXICON_FILE_BYTES, MAX_MODEL_FILE_BYTES, MAX_PACK_FILE_BYTES } from '../../../engine/source.js';
import { MAX_LEXICON_TERMS } from '../../../engine/lexicon-schema.js';
import { useDatabase } from '../../helpers/databases.js';
import { CONTENT, RULES_DIR, buildGatehouse, evaluate, pin } from '../api/harness.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const CLI = path.join(ROOT, 'dist/server/cli.js');
const FIXTURES = path.join(ROOT, 'test/fixtures/packs/invalid');
/** Generous for a loaded CI machine (compiling the phrase sets takes seconds); a hang or an exponential blow-up takes far longer. The collision finder has its own tests. */
const CLI_BOUND_MS = 45_000;

let temp: string;
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: this test runs the built command. Run \`npm run build\`.`);
  temp = mkdtempSync(path.join(tmpdir(), 'gh-hostile-packs-'));
});
afterAll(() => rmSync(temp, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/** Runs the built CLI, killing it (and failing) past the bound. */
function cli(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, CLI_BOUND_MS);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started, timedOut });
    });
    child.stdin.end(input ?? '');
  });
}

async function inBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

const CHECK = (id: string, detector: string, category = 'format') => `  - id: ${id}
    code: ${id.toUpperCase().replace(/-/g, '_')}_CHECK
    severity: block
    category: ${category}
    detector: ${detector}
    message: m
    suggestedFix: f
    required_edit: { action: review }
`;
const PACK = (id: string, body: string) => `id: ${id}\nversion: 1.0.0\ndescription: hostile\n${body}`;

function writePack(name: string, files: Record<string, string>): string {
  const dir = path.join(temp, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

let generated: [string, string, RegExp][] | undefined;

/** Generated hostile packs (written once), each with the message its refusal must carry. */
function generatedPacks(): [string, string, RegExp][] {
  return (generated ??= writeGeneratedPacks());
}

function writeGeneratedPacks(): [string, string, RegExp][] {
  const lexiconPack = (id: string) => PACK(id, `lexicons:\n  words: { file: lexicons/words.yaml }\nchecks:\n${CHECK('a', '{ type: lexicon, lexicons: [words] }', 'profanity')}`);
  const cases: [string, string, RegExp][] = [];
  const add = (name: string, files: Record<string, string>, message: RegExp) => cases.push([name, writePack(name, files), message]);

  add('oversized-pack-file', { 'pack.yaml': PACK('big', `# ${'x'.repeat(MAX_PACK_FILE_BYTES)}\nchecks:\n${CHECK('a', '{ type: line_length, max: 100 }')}`) }, /limit/);
  // Over the byte limit of a lexicon file: refused before it is parsed.
  add('oversized-lexicon-file', { 'pack.yaml': lexiconPack('biglex'), 'lexicons/words.yaml': `terms:\n${'  - abcdefghij\n'.repeat(Math.ceil(MAX_LEXICON_FILE_BYTES / 15) + 1)}` }, /limit/);
  // Over the byte limit of a model file (each entry is at least 17 bytes): refused before JSON.parse sees it.
  add('oversized-model-file', {
    'pack.yaml': PACK('bigmodel', `models:\n  m: { file: models/m.json }\nchecks:\n${CHECK('a', '{ type: classifier, model: m }', 'harmful')}`),
    'models/m.json': `{"label":"x","bias":0,"threshold":0,"features":{${Array.from({ length: Math.ceil(MAX_MODEL_FILE_BYTES / 16) + 1 }, (_, i) => `"w:${i.toString(36).padStart(8, 'a')}":0.5`).join(',')}}}`,
  }, /limit/);
  // Under the byte limit but over the term limit.
  add('too-many-terms', { 'pack.yaml': lexiconPack('manyterms'), 'lexicons/words.yaml': `terms:\n${Array.from({ length: MAX_LEXICON_TERMS + 1 }, (_, i) => `  - t${i.toString(36)}\n`).join('')}` }, /must NOT have more than/);
  add('lookbehind', { 'pack.yaml': PACK('lookbehind', `checks:\n${CHECK('a', `{ type: pattern, patterns: ['(?<=a)b'] }`)}`) }, /lookbehind/);
  add('named-backreference', { 'pack.yaml': PACK('namedref', `checks:\n${CHECK('a', `{ type: pattern, patterns: ['(?<w>a+)\\k<w>'] }`)}`) }, /backreference/);
  add('alias-bomb-lexicon', {
    'pack.yaml': lexiconPack('lexbomb'),
    'lexicons/words.yaml': `a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\nterms: *f\n`,
  }, /alias/i);
  add('deep-yaml', { 'pack.yaml': PACK('deep', `checks: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`) }, /./);
  add('too-many-checks', { 'pack.yaml': PACK('many', `checks:\n${Array.from({ length: 1_001 }, (_, i) => CHECK(`c${i}`, '{ type: line_length, max: 100 }')).join('')}`) }, /must NOT have more than 1000/);
  add('unknown-detector', { 'pack.yaml': PACK('unknowndet', `checks:\n${CHECK('a', '{ type: eval, code: "process.exit(1)" }')}`) }, /type/);
  add('duplicate-keys', { 'pack.yaml': PACK('dupkeys', `checks:\n${CHECK('a', '{ type: line_length, max: 100, max: 5 }')}`) }, /unique|duplicate/i);
  add('lexicon-path-traversal', { 'pack.yaml': PACK('traversal', `lexicons:\n  words: { file: ../../../../etc/passwd }\nchecks:\n${CHECK('a', '{ type: lexicon, lexicons: [words] }', 'profanity')}`) }, /inside the pack folder/);
  // A symlink committed in a pull request, pointing out of the pack.
  const symlinked = writePack('lexicon-symlink', { 'pack.yaml': lexiconPack('symlink') });
  mkdirSync(path.join(symlinked, 'lexicons'), { recursive: true });
  writeFileSync(path.join(temp, 'outside.yaml'), 'terms: [secret-term]\n');
  symlinkSync(path.join(temp, 'outside.yaml'), path.join(symlinked, 'lexicons/words.yaml'));
  cases.push(['lexicon-symlink', symlinked, /inside the pack folder/]);
  // A FIFO named pack.yaml would block a reader forever; it is not a regular file, so it is refused.
  if (spawnSync('mkfifo', ['--help']).status === 0) {
    const fifoDir = path.join(temp, 'fifo-pack');
    mkdirSync(fifoDir);
    spawnSync('mkfifo', [path.join(fifoDir, 'pack.yaml')]);
    cases.push(['fifo-pack', fifoDir, /not found/]);
  }
  return cases;
}

describe('`gatehouse check` refuses hostile packs: exit 1, a located error, within the bound', () => {
  const fixtures = readdirSync(FIXTURES).map((name) => [name, path.join(FIXTURES, name)] as const);
  const expected: Record<string, RegExp> = {
    'alias-bomb': /alias/i,
    'backtracking-pattern': /backreference/,
    'bad-lexicon': /words\.yaml:\d+:\d+/,
    'bad-severity': /pack\.yaml:\d+:\d+ checks\[1\]\.severity/,
    'unknown-field': /pack\.yaml:\d+:\d+ .*mesage/,
  };

  it.each(fixtures)('fixture %s', async (name, dir) => {
    const run = await cli(['check', '--no-collisions', dir]);
    expect(run.timedOut, `still running after ${CLI_BOUND_MS} ms`).toBe(false);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).not.toMatch(/^ok /m);
    expect(run.stderr).toContain(dir); // located: the file is named…
    if (expected[name]) expect(run.stderr).toMatch(expected[name]!); // …with line:col where the problem has one
    expect(run.stderr).not.toMatch(/\n\s+at\s|node_modules/);
  });

  it('generated hostile packs (oversized files and lexicons, alias bombs, deep YAML, unsafe patterns, escapes from the pack folder)', async () => {
    const problems: string[] = [];
    const runs = await inBatches(generatedPacks(), 4, ([, dir]) => cli(['check', '--no-collisions', dir]));
    for (const [i, [name, dir, message]] of generatedPacks().entries()) {
      const run = runs[i]!;
      const why =
        run.timedOut ? `still running after ${CLI_BOUND_MS} ms`
        : run.code !== 1 ? `exit ${run.code}: ${run.stdout}${run.stderr}`
        : !run.stderr.includes(dir) ? `no file named in: ${run.stderr}`
        : !message.test(run.stderr) ? `expected ${message} in: ${run.stderr.slice(0, 300)}`
        : /\n\s+at\s/.test(run.stderr) ? `a stack trace: ${run.stderr.slice(0, 300)}`
        : undefined;
      if (why) problems.push(`${name}: ${why}`);
      // The secret behind the symlink is never read into an error.
      expect(run.stderr).not.toContain('secret-term');
    }
    expect(problems).toEqual([]);
  });

  it('every pack under a rules folder is checked even when one is hostile: exit 1 names only the bad one', async () => {
    const rules = path.join(temp, 'mixed-rules');
    cpSync(path.join(RULES_DIR, 'qa'), path.join(rules, 'qa'), { recursive: true });
    cpSync(path.join(FIXTURES, 'alias-bomb'), path.join(rules, 'alias-bomb'), { recursive: true });
    const run = await cli(['check', '--no-collisions', rules]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^ok {3}qa@/m);
    expect(run.stderr).toContain('alias-bomb');
  });
});

describe('a pattern catastrophic for backtracking engines is linear under RE2', () => {
  const PATTERNS = ['^(\\w+\\s?)*$', '(a+)+b', '(x+x+)+y', '^(a|a)*$', '(.*a){12}'];
  let dir: string;
  beforeAll(() => {
    dir = writePack('re2-linear', {
      'pack.yaml': PACK('linear', `checks:\n${CHECK('redos', `{ type: pattern, patterns: [${PATTERNS.map((p) => `'${p}'`).join(', ')}] }`)}`),
    });
  });

  it('loads at `gatehouse check` and evaluates a hostile 50,000-character input quickly', async () => {
    const run = await cli(['check', '--no-collisions', dir]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ok {3}linear@1\.0\.0/m);

    // The classic worst cases: a long run that almost matches, then a character that makes it fail.
    const pack = await loadPack(dir);
    for (const input of [`${'a '.repeat(25_000)}!`, `${'a'.repeat(50_000)}!`, `${'x'.repeat(50_000)}`]) {
      const started = performance.now();
      const decision = await engineEvaluate(pack, { content: [input] });
      const ms = performance.now() - started;
      // Linear time: well under a second on an idle machine; the bound leaves room for a loaded CI runner.
      expect(ms, `${ms.toFixed(0)} ms for ${input.slice(0, 10)}…`).toBeLessThan(2_000);
      expect(['PASS', 'FAIL']).toContain(decision.decision);
    }
    // For comparison, V8's backtracking RegExp needs ~0.4 s for /^(\w+\s?)*$/ on 'a' × 26 + '!', doubling with each
    // further character: 50,000 would never return. Through the CLI, the same input answers within the bound.
    const timed = await cli(['eval', '--pack', dir], `${'a'.repeat(50_000)}!`);
    expect(timed.timedOut).toBe(false);
    expect(timed.stdout).toMatch(/^(PASS|FAIL) {2}linear@1\.0\.0/);
  });
});

describe('at load: the server starts and serves the good packs when the rules folder also holds hostile ones', () => {
  const database = useDatabase('pglite');

  it('publishes qa, reports each hostile pack with its file, answers /readyz and evaluates', async () => {
    const rules = path.join(temp, 'server-rules');
    cpSync(path.join(RULES_DIR, 'qa'), path.join(rules, 'qa'), { recursive: true });
    for (const name of readdirSync(FIXTURES)) cpSync(path.join(FIXTURES, name), path.join(rules, name), { recursive: true });
    for (const [name, dir] of generatedPacks().filter(([n]) => !['fifo-pack', 'lexicon-symlink'].includes(n))) {
      cpSync(dir, path.join(rules, `gen-${name}`), { recursive: true });
    }
    const logs: string[] = [];
    const started = performance.now();
    const gh = await buildGatehouse(database().db, { env: { GATEHOUSE_RULES_DIR: rules }, logSink: logs });
    try {
      expect(performance.now() - started).toBeLessThan(30_000);
      const report = gh.packs.report();
      expect([...report.published, ...report.unchanged]).toContain('qa@2.0.0');
      for (const name of readdirSync(FIXTURES)) expect(report.errors.join('\n')).toContain(path.join(rules, name));
      expect(report.errors.join('\n')).toContain('gen-too-many-checks');
      expect(logs.join('\n')).toMatch(/pack not loaded: .*alias-bomb/);
      expect((await request(gh.app).get('/readyz')).status).toBe(200);
      expect((await pin(gh.app, 'hp-enforced', { mode: 'enforced' })).status).toBeLessThan(300);
      const decided = await evaluate(gh.app, { content: CONTENT.profane, stage: 'hp-enforced' });
      expect(decided.status).toBe(200);
      expect(decided.body).toMatchObject({ decision: 'FAIL', policy: { pack: 'qa' }, audit_ok: true });
      // A hostile pack never becomes pinnable.
      expect((await pin(gh.app, 'hp-bomb', { pack: 'bomb', version: '1.0.0' })).status).toBe(404);
    } finally {
      await gh.close();
    }
  });
});
