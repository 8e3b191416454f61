import { describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compilePack, loadPack, loadPacks, PackError, formatIssue } from '../../engine/index.js';

const fixtures = 'test/fixtures/packs';

async function issuesOf(dir: string): Promise<string[]> {
  try {
    await loadPack(dir);
  } catch (error) {
    if (error instanceof PackError) return error.issues.map(formatIssue);
    throw error;
  }
  throw new Error(`${dir} loaded, but it should have been refused`);
}

describe('loadPack', () => {
  it('loads the default pack with its identity and a content hash', async () => {
    const pack = await loadPack('rules/qa');
    expect(pack.id).toBe('qa');
    expect(pack.version).toBe('2.0.0');
    expect(pack.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pack.checks.map((c) => c.code)).toEqual(
      expect.arrayContaining(['PROFANITY', 'VIOLENT_THREAT', 'SELF_HARM', 'TOS_SPAM', 'LENGTH_EXCEEDED', 'NUMBERING_INVALID']),
    );
    // Lexicons are resolved into the hashed document.
    expect(pack.resolved.lexicons.profanity!.terms.length).toBeGreaterThan(250);
  });

  it('gives the same hash for the same content and another for a changed lexicon', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gh-pack-'));
    await cp('rules/qa', dir, { recursive: true });
    const a = await loadPack(dir);
    const b = await loadPack(dir);
    expect(b.hash).toBe(a.hash);
    await writeFile(path.join(dir, 'lexicons/fake-engagement.yaml'), 'terms: [buy followers, buy fans]\n');
    const c = await loadPack(dir);
    expect(c.hash).not.toBe(a.hash);
  });

  it('compiles a document once per process: the same content gives the same compiled pack, unless asked not to reuse', async () => {
    const a = await loadPack('rules/qa');
    // Another object with the same content (a registry reading the stored document again).
    const copy = JSON.parse(JSON.stringify(a.resolved)) as typeof a.resolved;
    expect(compilePack(copy)).toBe(a);
    const fresh = compilePack(copy, { reuse: false });
    expect(fresh).not.toBe(a);
    expect(fresh.hash).toBe(a.hash);
    expect(compilePack({ ...copy, version: '9.9.9' })).not.toBe(a);
  });

  it('names file, line, column and path for a wrong enum value', async () => {
    const issues = await issuesOf(`${fixtures}/invalid/bad-severity`);
    expect(issues).toEqual([`${fixtures}/invalid/bad-severity/pack.yaml:15:5 checks[1].severity: must be one of block, warn`]);
  });

  it('locates a duplicate YAML key at its line and column', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gh-dup-'));
    await writeFile(path.join(dir, 'pack.yaml'), 'id: dup\nversion: 1.0.0\nid: again\n');
    expect(await issuesOf(dir)).toEqual([`${path.join(dir, 'pack.yaml')}:3:1 Map keys must be unique`]);
  });

  it('refuses a template variable that the check does not provide, at the template', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gh-tpl-'));
    await writeFile(
      path.join(dir, 'pack.yaml'),
      [
        'id: tpl',
        'version: 1.0.0',
        'description: d',
        'lexicons: { w: { terms: [darn] } }',
        'checks:',
        '  - id: w',
        '    code: W_CHECK',
        '    severity: warn',
        '    category: format',
        '    detector: { type: lexicon, lexicons: [w] }',
        '    message: "found {{evidnce}} ({{term}})"',
        '    suggestedFix: "{{post_number}}"',
        '    required_edit: { action: review }',
      ].join('\n'),
    );
    expect(await issuesOf(dir)).toEqual([
      `${path.join(dir, 'pack.yaml')}:11:5 checks[0].message: unknown template variable {{evidnce}}; this check provides {{post}}, {{post_number}}, {{evidence}}, {{check}}, {{code}}, {{term}}`,
    ]);
  });

  it('refuses unknown fields instead of ignoring a typo', async () => {
    const issues = await issuesOf(`${fixtures}/invalid/unknown-field`);
    expect(issues).toEqual([`${fixtures}/invalid/unknown-field/pack.yaml:10:5 checks[0].mesage: unknown property "mesage"`]);
  });

  it('refuses a YAML alias bomb without expanding it', async () => {
    const started = Date.now();
    const issues = await issuesOf(`${fixtures}/invalid/alias-bomb`);
    expect(issues.join('\n')).toMatch(/alias/i);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a pattern that cannot run in linear time, at its location', async () => {
    const issues = await issuesOf(`${fixtures}/invalid/backtracking-pattern`);
    expect(issues).toHaveLength(1);
    // At the pattern itself, not at the `detector:` key (line 9, column 43 inside the flow mapping).
    expect(issues[0]).toMatch(/^test\/fixtures\/packs\/invalid\/backtracking-pattern\/pack\.yaml:9:43 checks\[0\]\.detector\.patterns\[0\]: /);
    expect(issues[0]).toMatch(/\(a\+\)\+.*backreferences/);
  });

  it('locates errors inside lexicon files', async () => {
    const issues = await issuesOf(`${fixtures}/invalid/bad-lexicon`);
    expect(issues).toEqual([
      `${fixtures}/invalid/bad-lexicon/lexicons/words.yaml:3:5 terms[1]: must be string`,
      `${fixtures}/invalid/bad-lexicon/lexicons/words.yaml:4:1 alow: unknown property "alow"`,
    ]);
  });

  it('refuses an oversized lexicon', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gh-big-'));
    await mkdir(path.join(dir, 'lexicons'));
    await writeFile(
      path.join(dir, 'pack.yaml'),
      [
        'id: big', 'version: 1.0.0', 'description: too many terms',
        'lexicons: { words: { file: lexicons/words.yaml } }',
        'checks:',
        '  - { id: a, code: A_CODE, severity: warn, category: profanity, detector: { type: lexicon, lexicons: [words] }, message: m, suggestedFix: f, required_edit: { action: review } }',
      ].join('\n'),
    );
    await writeFile(path.join(dir, 'lexicons/words.yaml'), `terms:\n${Array.from({ length: 200_001 }, (_, i) => `  - w${i}`).join('\n')}\n`);
    const issues = await issuesOf(dir);
    expect(issues.join('\n')).toMatch(/terms: must NOT have more than 200000 items/);
  });

  it('refuses a lexicon file outside the pack folder', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gh-escape-'));
    await writeFile(
      path.join(dir, 'pack.yaml'),
      'id: esc\nversion: 1.0.0\ndescription: d\nlexicons: { words: { file: ../../etc/passwd } }\nchecks:\n  - { id: a, code: A_CODE, severity: warn, category: profanity, detector: { type: lexicon, lexicons: [words] }, message: m, suggestedFix: f, required_edit: { action: review } }\n',
    );
    expect((await issuesOf(dir)).join('\n')).toMatch(/lexicons\.words\.file: must stay inside the pack folder/);
  });

  it('loads JSON packs with located errors too', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gh-json-'));
    await writeFile(
      path.join(dir, 'pack.json'),
      JSON.stringify({ id: 'j', version: '1.0', description: 'd', checks: [] }, null, 2),
    );
    const issues = await issuesOf(dir);
    expect(issues).toContain(`${path.join(dir, 'pack.json')}:3:3 version: must match pattern "${'^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-[0-9A-Za-z.-]+)?$'}"`);
    expect(issues).toContain(`${path.join(dir, 'pack.json')}:5:3 checks: must NOT have fewer than 1 items`);
  });

  it('loadPacks collects every pack and every broken one without stopping', async () => {
    const { packs, errors } = await loadPacks(`${fixtures}/invalid`);
    expect(packs).toHaveLength(0);
    expect(errors.length).toBe(5);
    const valid = await loadPacks('rules');
    expect(valid.packs.map((p) => `${p.id}@${p.version}`)).toEqual(['qa@2.0.0']);
    expect(valid.errors).toEqual([]);
  });
});
