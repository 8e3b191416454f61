// `gatehouse diff` as CI runs it: the built CLI (node dist/server/cli.js diff …), folder against
// folder, a git ref (HEAD:pack in a throw-away repository) against the working folder, and a
// published version read from an embedded database. Needs `npm run build` first.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPack } from '../../../engine/index.js';
import { migrateLatest, openDatabase } from '../../../server/db/database.js';
import { createPackStore } from '../../../server/packs/pack-store.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
// The default pack as it was at 1.0.0: these tests pin what a diff reports, not what today's pack detects.
const QA = 'test/fixtures/packs/qa-1.0.0';
const CLI = path.join(ROOT, 'dist/server/cli.js');
const dirs: string[] = [];

const CORPUS = [
  { id: 'clean', content: 'Our spring release is live: faster search and dark mode.' },
  { id: 'punch', content: 'Say that again and I will punch you.' },
  { id: 'threat', content: "Keep talking. I'll kill you." },
  { id: 'idiom', content: 'This workout is killing me.' },
  { id: 'thread', content: ['1/2 Great meetup tonight.', '2/2 Next person who is late, I will punch you.'] },
]
  .map((item) => JSON.stringify(item))
  .join('\n');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function gatehouse(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): Run {
  // The child must not see a DATABASE_URL from the developer's shell: tests pick the database.
  const { DATABASE_URL: _url, GATEHOUSE_DATA_DIR: _dir, ...env } = process.env;
  const r = spawnSync(process.execPath, [CLI, 'diff', ...args], { cwd: opts.cwd ?? ROOT, env: { ...env, ...opts.env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function errorOf(run: Run): { code: string; message: string; suggestedFix: string; details: Record<string, unknown> } {
  return (JSON.parse(run.stderr.trim().split('\n').pop()!) as { error: ReturnType<typeof errorOf> }).error;
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=gatehouse-test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-diff-cli-'));
  dirs.push(dir);
  return dir;
}

/** Adds one term to the violent-threat lexicon: the one change these tests diff. */
async function addThreatTerm(packDir: string): Promise<void> {
  const file = path.join(packDir, 'lexicons/violent-threats.yaml');
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.replace(/^terms:\n/m, 'terms:\n  - i will punch you\n'));
}

let work: string;
let corpusFile: string;
let changed: string;

beforeAll(async () => {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: this test runs the built CLI. Run \`npm run build\` (npm ci builds it through \`prepare\`).`);
  }
  work = await tempDir();
  corpusFile = path.join(work, 'corpus.jsonl');
  await writeFile(corpusFile, `${CORPUS}\n`);
  changed = path.join(work, 'changed');
  await cp(path.join(ROOT, QA), changed, { recursive: true });
  await addThreatTerm(changed);
});

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('gatehouse diff: folders', () => {
  it('identical packs: exit 0 and a "no changes" table, even with --fail-on-change', () => {
    const run = gatehouse([QA, QA, '--corpus', corpusFile, '--fail-on-change']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('### Policy impact: `qa@1.0.0` → `qa@1.0.0`');
    expect(run.stdout).toContain('**No decision or code changes** over 5 corpus items');
  });

  it('one changed check: markdown lists exactly the flipped items; exit 0 without --fail-on-change', () => {
    const run = gatehouse([QA, changed, '--corpus', corpusFile]);
    expect(run.code).toBe(0);
    const rows = run.stdout.split('\n').filter((l) => /^\| `(clean|punch|threat|idiom|thread)` \|/.test(l));
    expect(rows).toEqual([
      '| `punch` | PASS → **FAIL** | +VIOLENT_THREAT | `violent-threat` | `Say that again and I **** ***** **u.` |',
      '| `thread` | PASS → **FAIL** | +VIOLENT_THREAT | `violent-threat` | `1/2 Great meetup tonight. ¶ 2/2 Next person who is late, I **** ***** **u.` |',
    ]);
    expect(run.stdout).toContain('**2 decisions flip** over 5 corpus items');
  });

  it('--fail-on-change exits 1 when something flips; --format json prints the report', () => {
    const run = gatehouse([QA, changed, '--corpus', corpusFile, '--format', 'json', '--fail-on-change']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.changes.map((c: { id: string; flip: string }) => [c.id, c.flip])).toEqual([
      ['punch', 'PASS→FAIL'],
      ['thread', 'PASS→FAIL'],
    ]);
    expect(report.old).toMatchObject({ source: QA, id: 'qa', version: '1.0.0' });
    expect(report.new.hash).not.toBe(report.old.hash);
    expect(report.corpus).toEqual({ source: corpusFile, size: 5 });
  });

  it('a bad corpus line: exit 2, the error shape on stderr naming the line', async () => {
    const bad = path.join(work, 'bad.jsonl');
    await writeFile(bad, '{"id":"a","content":"fine"}\n\n{"id":"b","content":42}\n');
    const run = gatehouse([QA, QA, '--corpus', bad]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const error = errorOf(run);
    expect(error).toMatchObject({ code: 'CORPUS_INVALID', details: { file: bad, line: 3 } });
    expect(error.message).toBe(`${bad}:3: "content" must be a string or a non-empty array of strings`);
    expect(error.suggestedFix).toBeTruthy();
  });

  it('bad arguments and unknown sources: exit 2 with a code and a fix', () => {
    expect(errorOf(gatehouse([QA, '--corpus', corpusFile])).code).toBe('INVALID_ARGUMENTS');
    expect(errorOf(gatehouse(['rules/qa', 'rules/qa'])).code).toBe('INVALID_ARGUMENTS');
    expect(errorOf(gatehouse([QA, QA, '--corpus', corpusFile, '--format', 'html'])).code).toBe('INVALID_ARGUMENTS');
    const missing = gatehouse(['rules/nope', QA, '--corpus', corpusFile]);
    expect(missing.code).toBe(2);
    expect(errorOf(missing).code).toBe('PACK_SOURCE_NOT_FOUND');
  });
});

describe('gatehouse diff: git ref against the working folder', () => {
  let repo: string;

  beforeAll(async () => {
    repo = await tempDir();
    git(repo, 'init', '-q');
    await cp(path.join(ROOT, QA), path.join(repo, 'pack'), { recursive: true });
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'pack');
    // The working folder now differs from HEAD by one lexicon term.
    await addThreatTerm(path.join(repo, 'pack'));
  });

  it('HEAD:pack vs pack lists the flips, reads lexicons from the ref, and leaves the working tree alone', async () => {
    const run = gatehouse(['HEAD:pack', 'pack', '--corpus', corpusFile, '--format', 'json', '--fail-on-change'], { cwd: repo });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.old.source).toBe('HEAD:pack');
    // HEAD holds the unchanged pack, lexicon files included: same hash as the fixture.
    expect(report.old.hash).toBe((await loadPack(path.join(ROOT, QA))).hash);
    expect(report.changes.map((c: { id: string; flip: string }) => [c.id, c.flip])).toEqual([
      ['punch', 'PASS→FAIL'],
      ['thread', 'PASS→FAIL'],
    ]);
    expect(git(repo, 'status', '--porcelain')).toBe(' M pack/lexicons/violent-threats.yaml\n');
  });

  it('the same tree on both sides: exit 0', () => {
    const run = gatehouse(['HEAD:pack', 'HEAD:./pack', '--corpus', corpusFile, '--fail-on-change'], { cwd: repo });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('**No decision or code changes**');
  });

  it('an unknown ref or path: exit 2 with GIT_REF_NOT_FOUND / GIT_PATH_NOT_FOUND', () => {
    const ref = gatehouse(['no-such-branch:pack', 'pack', '--corpus', corpusFile], { cwd: repo });
    expect(ref.code).toBe(2);
    expect(errorOf(ref)).toMatchObject({ code: 'GIT_REF_NOT_FOUND', details: { ref: 'no-such-branch' } });
    const where = gatehouse(['HEAD:rules/qa', 'pack', '--corpus', corpusFile], { cwd: repo });
    expect(where.code).toBe(2);
    expect(errorOf(where)).toMatchObject({ code: 'GIT_PATH_NOT_FOUND', details: { ref: 'HEAD', path: 'rules/qa' } });
  });

  it('an invalid pack at a ref: exit 2, issues located in ref:path, not in a temp folder', async () => {
    const broken = await tempDir();
    git(broken, 'init', '-q');
    await cp(path.join(ROOT, QA), path.join(broken, 'pack'), { recursive: true });
    const file = path.join(broken, 'pack/pack.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('severity: block', 'severity: fatal'));
    git(broken, 'add', '.');
    git(broken, 'commit', '-q', '-m', 'broken');
    const run = gatehouse(['HEAD:pack', path.join(ROOT, QA), '--corpus', corpusFile], { cwd: broken });
    expect(run.code).toBe(2);
    const error = errorOf(run);
    expect(error.code).toBe('PACK_INVALID');
    expect(error.message).toMatch(/HEAD:pack\/pack\.yaml:\d+:\d+ checks\[0\]\.severity/);
    expect(error.message).not.toContain(tmpdir());
  });
});

describe('gatehouse diff: published versions', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await tempDir();
    const db = await openDatabase({ dataDir });
    try {
      await migrateLatest(db.knex);
      const qa = await loadPack(path.join(ROOT, QA));
      await createPackStore(db.knex).publish({ pack_id: qa.id, version: qa.version, hash: qa.hash, resolved: qa.resolved });
    } finally {
      await db.close();
    }
  });

  it('qa@1.0.0 from the database against the changed folder', () => {
    const run = gatehouse(['qa@1.0.0', changed, '--corpus', corpusFile, '--format', 'json'], { env: { GATEHOUSE_DATA_DIR: dataDir } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.old).toMatchObject({ source: 'qa@1.0.0', id: 'qa', version: '1.0.0' });
    expect(report.summary.pass_to_fail).toBe(2);
  });

  it('a version that is not published: exit 2, POLICY_VERSION_NOT_FOUND naming the published ones', () => {
    const run = gatehouse(['qa@9.9.9', 'rules/qa', '--corpus', corpusFile], { env: { GATEHOUSE_DATA_DIR: dataDir } });
    expect(run.code).toBe(2);
    expect(errorOf(run)).toMatchObject({ code: 'POLICY_VERSION_NOT_FOUND', details: { pack: 'qa', version: '9.9.9', published: ['1.0.0'] } });
  });

  it('no database where GATEHOUSE_DATA_DIR points: exit 2, and none is created', async () => {
    const empty = await tempDir();
    const run = gatehouse(['qa@1.0.0', 'rules/qa', '--corpus', corpusFile], { env: { GATEHOUSE_DATA_DIR: empty } });
    expect(run.code).toBe(2);
    expect(errorOf(run).code).toBe('DATABASE_NOT_FOUND');
    expect(existsSync(path.join(empty, 'pglite'))).toBe(false);
  });
});
