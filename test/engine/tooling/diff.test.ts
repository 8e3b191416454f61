// Policy impact diff (engine/tooling/diff.ts): the default pack against a copy with ONE check changed,
// over a small corpus; the report must list exactly the items that flip, and nothing else.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { evaluate, loadPack, type CompiledPack } from '../../../engine/index.js';
import { CorpusError, parseCorpus, type CorpusItem } from '../../../engine/tooling/diff-corpus.js';
import { maskedExample } from '../../../engine/tooling/diff-examples.js';
import { renderMarkdown } from '../../../engine/tooling/diff-format.js';
import { diffPacks, hasChanges } from '../../../engine/tooling/diff.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
// The default pack as it was at 1.0.0: these tests pin what a diff reports, not what today's pack detects.
const QA = 'test/fixtures/packs/qa-1.0.0';
const dirs: string[] = [];

async function copyOfQa(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-diff-test-'));
  dirs.push(dir);
  await cp(path.join(ROOT, QA), dir, { recursive: true });
  return dir;
}

async function editYaml(file: string, edit: (doc: Record<string, any>) => void): Promise<void> {
  const doc = parse(await readFile(file, 'utf8')) as Record<string, any>;
  edit(doc);
  await writeFile(file, stringify(doc));
}

function corpus(entries: [string, string | string[]][]): CorpusItem[] {
  return entries.map(([id, content], i) => ({ id, content, line: i + 1 }));
}

// Built to hold: items the change must flip, items already failing for the same code,
// idioms that must stay clean, and items failing for unrelated reasons.
const ITEMS = corpus([
  ['clean', 'Our spring release is live: faster search and dark mode.'],
  ['punch-new', 'Say that again and I will punch you in the face.'],
  ['punch-thread', ['1/2 Great meetup tonight.', '2/2 Next person who is late, I will punch you.']],
  ['threat-old', "Keep talking. I'll kill you."],
  ['idiom-workout', 'This workout is killing me but I love it.'],
  ['idiom-punchline', 'The punchline of her talk landed perfectly.'],
  ['profanity', 'This fucking deploy failed again.'],
  ['punch-and-profanity', 'Shut up or I will punch you, shithead.'],
  ['spam', 'DM me to win a free iPhone today!'],
]);

let qa: CompiledPack;

beforeAll(async () => {
  qa = await loadPack(path.join(ROOT, QA));
});

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('diffPacks', () => {
  it('reports no change at all for identical packs', async () => {
    const report = await diffPacks(qa, await loadPack(await copyOfQa()), ITEMS);
    expect(report.identical).toBe(true);
    expect(report.changes).toEqual([]);
    expect(report.by_code).toEqual([]);
    expect(report.summary).toEqual({ changed_items: 0, flips: 0, pass_to_fail: 0, fail_to_pass: 0, codes_only: 0, unchanged_items: ITEMS.length });
    expect(hasChanges(report)).toBe(false);
    expect(renderMarkdown(report)).toContain('**No decision or code changes** over 9 corpus items');
  });

  it('a term added to one lexicon flips exactly the items that use it', async () => {
    const dir = await copyOfQa();
    await editYaml(path.join(dir, 'lexicons/violent-threats.yaml'), (doc) => doc.terms.push('i will punch you'));
    await editYaml(path.join(dir, 'pack.yaml'), (doc) => (doc.version = '1.1.0'));
    const changed = await loadPack(dir);

    const report = await diffPacks(qa, changed, ITEMS, { oldSource: 'rules/qa', newSource: dir });

    expect(report.changes.map((c) => [c.id, c.flip])).toEqual([
      ['punch-new', 'PASS→FAIL'],
      ['punch-thread', 'PASS→FAIL'],
      // Already FAIL for profanity: no flip, but the reviewer sees the code it gains.
      ['punch-and-profanity', null],
    ]);
    for (const c of report.changes) {
      expect(c.codes).toEqual([{ code: 'VIOLENT_THREAT', change: 'gained', old: null, new: 'block', checks: ['violent-threat'] }]);
      expect(c.checks).toEqual(['violent-threat']);
    }
    expect(report.summary).toEqual({ changed_items: 3, flips: 2, pass_to_fail: 2, fail_to_pass: 0, codes_only: 1, unchanged_items: 6 });
    expect(report.by_code).toEqual([
      {
        code: 'VIOLENT_THREAT',
        gained: 3,
        lost: 0,
        severity_changed: 0,
        pass_to_fail: 2,
        fail_to_pass: 0,
        checks: ['violent-threat'],
        examples: ['punch-new', 'punch-thread', 'punch-and-profanity'],
      },
    ]);
    expect(report.old).toEqual({ source: 'rules/qa', id: 'qa', version: '1.0.0', hash: qa.hash });
    expect(report.new).toMatchObject({ source: dir, id: 'qa', version: '1.1.0', hash: changed.hash });
    expect(report.notes).toEqual([]);
    expect(hasChanges(report)).toBe(true);
  });

  it('a check turned from block to warn flips exactly its FAIL items to PASS', async () => {
    const dir = await copyOfQa();
    await editYaml(path.join(dir, 'pack.yaml'), (doc) => {
      doc.checks.find((c: { id: string }) => c.id === 'profanity').severity = 'warn';
    });

    const report = await diffPacks(qa, await loadPack(dir), ITEMS);

    // punch-and-profanity fails only for profanity under the default pack (punching is not listed there).
    expect(report.changes.map((c) => [c.id, c.flip])).toEqual([
      ['profanity', 'FAIL→PASS'],
      ['punch-and-profanity', 'FAIL→PASS'],
    ]);
    for (const c of report.changes) {
      expect(c.codes).toEqual([{ code: 'PROFANITY', change: 'severity', old: 'block', new: 'warn', checks: ['profanity'] }]);
    }
    // Same id@version with other content cannot be published: the report says so.
    expect(report.notes).toEqual([expect.stringContaining('without a version bump')]);
  });

  it('masks profanity and harmful spans in examples, under either pack', async () => {
    const dir = await copyOfQa();
    await editYaml(path.join(dir, 'pack.yaml'), (doc) => {
      doc.checks = doc.checks.filter((c: { id: string }) => c.id !== 'profanity' && c.id !== 'violent-threat');
    });
    const report = await diffPacks(qa, await loadPack(dir), ITEMS);
    const byId = new Map(report.changes.map((c) => [c.id, c]));

    // Both checks are gone from NEW, so only OLD's spans say what to mask.
    expect([...byId.keys()].sort()).toEqual(['profanity', 'punch-and-profanity', 'threat-old']);
    expect(byId.get('profanity')!.example).toBe('This f*****g deploy failed again.');
    expect(byId.get('threat-old')!.example).toBe("Keep talking. I*** **** **u.");
    expect(byId.get('threat-old')!.flip).toBe('FAIL→PASS');
    for (const c of report.changes) expect(c.example).not.toMatch(/fuck|shit|kill you/i);
    const markdown = renderMarkdown(report);
    expect(markdown).not.toMatch(/fuck|shit|kill you/i);
    expect(markdown).toContain('| `profanity` | FAIL → **PASS** | −PROFANITY | `profanity` | `This f*****g deploy failed again.` |');
  });
});

describe('maskedExample', () => {
  it('cuts long content to a window around the first changed finding', async () => {
    const text = `${'Lovely weather for a long walk by the river today. '.repeat(4)}Then this fucking bus never came. ${'x '.repeat(60)}`;
    const decision = await evaluate(qa, { content: text });
    const example = maskedExample(text, [decision], new Set(['PROFANITY']));
    expect(example.startsWith('…')).toBe(true);
    expect(example.endsWith('…')).toBe(true);
    expect(example).toContain('f*****g bus');
    expect(example.length).toBeLessThanOrEqual(82);
  });
});

describe('parseCorpus', () => {
  it('reads JSONL, skipping blank lines and keeping line numbers', () => {
    const items = parseCorpus('{"id":"a","content":"x"}\n\n{"id":"b","content":["1/2 a","2/2 b"],"platform":"bluesky","metadata":{"k":1}}\n');
    expect(items).toEqual([
      { id: 'a', content: 'x', line: 1 },
      { id: 'b', content: ['1/2 a', '2/2 b'], platform: 'bluesky', metadata: { k: 1 }, line: 3 },
    ]);
  });

  it.each([
    ['{"id":"a","content":"x"}\nnot json', 2, /not valid JSON/],
    ['{"id":"a","content":"x"}\n\n{"id":"b","content":5}', 3, /"content" must be/],
    ['{"id":"a","content":[]}', 1, /"content" must be/],
    ['{"content":"x"}', 1, /"id" must be/],
    ['["a"]', 1, /JSON object/],
    ['{"id":"a","content":"x","metadata":[]}', 1, /"metadata" must be an object/],
    ['{"id":"a","content":"x"}\n{"id":"a","content":"y"}', 2, /already used on line 1/],
  ])('refuses a bad line and names it: %s', (text, line, problem) => {
    let error: unknown;
    try {
      parseCorpus(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CorpusError);
    expect((error as CorpusError).line).toBe(line);
    expect((error as CorpusError).message).toMatch(problem);
  });

  it('refuses an empty corpus', () => {
    expect(() => parseCorpus('\n\n')).toThrow(/no items/);
  });
});
