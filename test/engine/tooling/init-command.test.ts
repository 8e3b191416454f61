// `gatehouse init DIR` (issue 16): a pack started outside the repository passes `check` and
// `test` as written, and the `$schema` of each of its files resolves there: by its `$id`, to the
// schema copies the npm package ships. Runs the built command, as a newcomer would.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
const ROOT = path.resolve(import.meta.dirname, '../../..');
const CLI = path.join(ROOT, 'dist/server/cli.js');

function gatehouse(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('gatehouse init', () => {
  let parent: string;
  let dir: string;
  /** DIR as the user types it from the repository: `../../tmp/…/mypack`, outside the repository. */
  let relative: string;

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
    parent = mkdtempSync(path.join(tmpdir(), 'gatehouse-init-'));
    dir = path.join(parent, 'mypack');
    relative = path.relative(ROOT, dir);
    expect(relative.startsWith('..')).toBe(true);
  });
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('init, check and test pass in a folder outside the repository', () => {
    const init = gatehouse('init', relative);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('wrote');
    for (const file of ['pack.yaml', 'lexicons/banned.yaml', 'tests/banned-words.yaml', 'eval/corpus.jsonl']) {
      expect(existsSync(path.join(dir, file)), file).toBe(true);
    }
    const check = gatehouse('check', relative);
    expect({ code: check.code, stderr: check.stderr }).toEqual({ code: 0, stderr: '' });
    expect(check.stdout).toMatch(/^ok {3}mypack@0\.1\.0 /);
    const test = gatehouse('test', relative);
    expect(test.code).toBe(0);
    expect(test.stdout).toMatch(/^4 passed, 0 failed$/m);
    const score = gatehouse('score', '--pack', relative, '--corpus', path.join(relative, 'eval'), '--min-recall', '1', '--max-fp', '0');
    expect(score.code).toBe(0);
  }, 240_000);

  it("every file's $schema is a stable https $id that resolves to a schema the npm package ships, and that schema accepts the file", () => {
    const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    const shipped = new Set((JSON.parse(packed.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path));
    const schemaFiles = [...shipped].filter((f) => /^engine\/schema\/[a-z-]+\.schema\.json$/.test(f));
    expect(schemaFiles.sort()).toEqual(['engine/schema/lexicon.schema.json', 'engine/schema/pack-test.schema.json', 'engine/schema/pack.schema.json', 'engine/schema/phrases.schema.json']);
    expect(shipped.has('dist/server/cli.js')).toBe(true);

    // An ajv that knows only the shipped copies, by their $id: no path into the repository is involved.
    const ajv = new Ajv2020({ strict: false, discriminator: true });
    for (const file of schemaFiles) ajv.addSchema(JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as object);
    for (const file of ['pack.yaml', 'lexicons/banned.yaml', 'tests/banned-words.yaml']) {
      const doc = parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
      expect(doc.$schema, file).toMatch(/^https:\/\/gatehouse\.dev\/schemas\/[a-z-]+\.json$/);
      const validate = ajv.getSchema(doc.$schema as string);
      expect(validate, `${file}: ${String(doc.$schema)} resolves`).toBeDefined();
      expect(validate!(doc), `${file}: ${JSON.stringify(validate!.errors)}`).toBe(true);
    }
    // …and it is the schema that checks: a wrong severity is refused.
    const pack = parse(readFileSync(path.join(dir, 'pack.yaml'), 'utf8')) as { $schema: string; checks: Array<{ severity: string }> };
    pack.checks[0]!.severity = 'blocker';
    expect(ajv.getSchema(pack.$schema)!(pack)).toBe(false);
  }, 120_000);

  it('refuses a folder that is not empty and writes nothing there', () => {
    const again = gatehouse('init', relative);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is not empty/);
    expect(gatehouse('init', relative, '--id', 'Bad Id').code).toBe(2);
  });
});
