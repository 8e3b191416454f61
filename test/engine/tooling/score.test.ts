/**
 * `gatehouse score` on a small pack and corpus written here: every count is
 * worked out by hand, so a change in how items are judged shows up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compilePack, PackError } from '../../../engine/index.js';
import { loadCorpus, withTag, type CorpusItem } from '../../../engine/tooling/corpus.js';
import { checkFloors, scoreCorpus, uniformFloors } from '../../../engine/tooling/score.js';
import { formatScore } from '../../../engine/tooling/score-format.js';

const base = { severity: 'block' as const, message: 'm', suggestedFix: 'f', required_edit: { action: 'delete' as const } };
const pack = compilePack({
  id: 's',
  version: '1.0.0',
  description: '',
  defaults: { platform: 'x', thread_split: 'none' },
  lexicons: { swear: { terms: ['darn'], allow: [] } },
  phrases: { t: { rules: [{ id: 'harm', match: "i'll hurt you", unless: ['neg'] }], guards: { neg: { match: 'never', before: 2 } } } },
  checks: [
    { ...base, id: 'swear', code: 'PROFANITY', category: 'profanity', detector: { type: 'lexicon', lexicons: ['swear'] } },
    { ...base, id: 'threat', code: 'VIOLENT_THREAT', category: 'harmful', labels: ['violent_threat'], detector: { type: 'phrase', phrases: ['t'] } },
  ],
});

const lines = [
  { id: 'a', content: "I'll hurt you", labels: { violent_threat: true, profanity: false }, family: 'threat/direct' },
  { id: 'b', content: "I'll never hurt you", labels: { violent_threat: false }, family: 'threat-neg/negated' },
  { id: 'c', content: "darn, I'll hurt you", labels: { violent_threat: false, profanity: true }, family: 'mixed' },
  { id: 'd', content: ['fine', 'I will harm you'], labels: { violent_threat: true, self_harm: false }, family: 'threat/direct' },
  { id: 'e', content: 'darn it', labels: { profanity: true } },
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gh-score-'));
  await writeFile(path.join(dir, 'a.jsonl'), `${lines.slice(0, 3).map((l) => JSON.stringify(l)).join('\n')}\n\n`);
  await writeFile(path.join(dir, 'b.jsonl'), lines.slice(3).map((l) => JSON.stringify(l)).join('\n'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('scoreCorpus', () => {
  it('counts per label with the checks each label declares, and per family', async () => {
    const report = await scoreCorpus(pack, await loadCorpus(dir));
    expect(report.items).toBe(5);
    expect(report.labels.violent_threat).toMatchObject({ tp: 1, fn: 1, fp: 1, tn: 1, recall: 0.5, fp_rate: 0.5, precision: 0.5 });
    expect(report.labels.profanity).toMatchObject({ tp: 2, fn: 0, fp: 0, tn: 1, recall: 1 });
    expect(report.labels.self_harm).toMatchObject({ positives: 0, negatives: 1, recall: null, fp_rate: 0 });
    expect(report.undeclared).toEqual(['self_harm']);
    expect(report.families['threat/direct']).toMatchObject({ tp: 1, fn: 1, fp: 0, tn: 2 });
    expect(report.misses.map((m) => [m.id, m.label])).toEqual([['d', 'violent_threat']]);
    expect(report.false_positives).toMatchObject([{ id: 'c', label: 'violent_threat', fired: [{ code: 'VIOLENT_THREAT', rule: 'harm' }] }]);
  });

  it('judges floors from a file and from --min-recall/--max-fp', async () => {
    const report = await scoreCorpus(pack, await loadCorpus(dir));
    expect(checkFloors(report, { labels: { profanity: { min_recall: 0.9 } } })).toEqual([]);
    expect(checkFloors(report, uniformFloors(report, 0.9, 0.02))).toEqual([
      'label violent_threat: recall 0.50 < 0.90',
      'label violent_threat: false-positive rate 50.0 % > 2.0 %',
    ]);
    expect(checkFloors(report, { families: { nope: { min_recall: 1 } } })).toEqual(['family nope: not in the corpus']);
  });

  it('formats text and markdown tables; --summary leaves the items out', async () => {
    const report = await scoreCorpus(pack, await loadCorpus(dir));
    const text = formatScore(report, 'text');
    expect(text).toMatch(/^violent_threat\s+4\s+2\s+2\s+0\.50\s+50\.0 %\s+0\.50/m);
    expect(text).toContain('d [violent_threat · threat/direct] "fine ⏎ I will harm you"');
    expect(formatScore(report, 'text', { summary: true })).not.toContain('misses');
    expect(formatScore(report, 'markdown')).toContain('| violent_threat | 4 | 2 | 2 | 0.50 | 50.0 % |');
    expect(JSON.parse(formatScore(report, 'json', { summary: true }))).not.toHaveProperty('misses');
  });
});

describe('withTag', () => {
  const item = (content: string | string[]): CorpusItem => ({ id: 'i', content, labels: {}, file: 'f', line: 1 });
  it('appends the tag to the last post, once', () => {
    expect(withTag(item('Big news today  '), '#AI').content).toBe('Big news today #AI');
    expect(withTag(item(['1/2 first', '2/2 last']), '#AI').content).toEqual(['1/2 first', '2/2 last #AI']);
    expect(withTag(item(['made with #ai', 'last']), '#AI').content).toEqual(['made with #ai', 'last #AI']);
    expect(withTag(item('already tagged #ai'), '#AI').content).toBe('already tagged #ai');
  });
});

describe('loadCorpus', () => {
  it('names the file and line of every bad item', async () => {
    const bad = path.join(dir, 'bad.jsonl');
    await writeFile(bad, ['{"id":"x","content":"a","labels":{}}', 'nope', '{"id":"x","content":"b","labels":{}}', '{"id":"y","content":1,"labels":{}}', '{"id":"z","content":"c","labels":{"tos":"yes"}}'].join('\n'));
    const error = await loadCorpus(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PackError);
    expect((error as PackError).issues.map((i) => `${i.line} ${i.message}`)).toEqual([
      '2 line is not JSON',
      expect.stringContaining('3 duplicate id "x"'),
      '4 y: "content" must be a string or a non-empty array of strings',
      '5 z: label "tos" must be true, false or absent',
    ]);
  });
});

describe('gatehouse score (CLI)', () => {
  const cli = (args: string[]) => spawnSync('node', ['dist/server/cli.js', 'score', ...args], { encoding: 'utf8' });
  let packDir: string;

  beforeAll(async () => {
    // The same small pack as files, so that the command loads it as a reviewer's pack.
    packDir = path.join(dir, 'pack');
    await mkdir(path.join(packDir, 'phrases'), { recursive: true });
    await writeFile(path.join(packDir, 'phrases/t.yaml'), "guards: { neg: { match: never, before: 2 } }\nrules: [{ id: harm, match: \"i'll hurt you\", unless: [neg] }]\n");
    await writeFile(
      path.join(packDir, 'pack.yaml'),
      [
        'id: s',
        'version: 1.0.0',
        'description: d',
        'lexicons: { swear: { terms: [darn] } }',
        'phrases: { t: { file: phrases/t.yaml } }',
        'checks:',
        '  - { id: swear, code: PROFANITY, severity: block, category: profanity, detector: { type: lexicon, lexicons: [swear] }, message: m, suggestedFix: f, required_edit: { action: delete } }',
        '  - { id: threat, code: VIOLENT_THREAT, severity: block, category: harmful, labels: [violent_threat], detector: { type: phrase, phrases: [t] }, message: m, suggestedFix: f, required_edit: { action: delete } }',
      ].join('\n'),
    );
  });

  it('exits 1 and names the label below a floor given on the command line, 0 when it holds', () => {
    // b.jsonl: the thread threat `I will harm you` is missed.
    const failing = cli(['--pack', packDir, '--corpus', path.join(dir, 'b.jsonl'), '--summary', '--min-recall', '0.9']);
    expect(failing.status).toBe(1);
    expect(failing.stderr).toBe('below floor: label violent_threat: recall 0.00 < 0.90\n');
    const passing = cli(['--pack', packDir, '--corpus', path.join(dir, 'a.jsonl'), '--summary', '--min-recall', '0.9', '--format', 'markdown']);
    expect(passing.stderr).toBe('');
    expect(passing.status).toBe(0);
    expect(passing.stdout).toMatch(/^### gatehouse score: s@1\.0\.0 on 3 items/);
  });

  it('--tag scores every item with the tag appended, as callers that require it send posts', () => {
    // a.jsonl's one item judged free of profanity (a) gains the swear word as a tag.
    const floors = path.join(dir, 'profanity-floor.yaml');
    writeFileSync(floors, 'labels: { profanity: { max_fp: 0.4 } }\n');
    const args = ['--pack', packDir, '--corpus', path.join(dir, 'a.jsonl'), '--summary', '--floors', floors];
    expect(cli(args).status).toBe(0);
    const tagged = cli([...args, '--tag', '#darn']);
    expect(tagged.status).toBe(1);
    expect(tagged.stderr).toBe('below floor: label profanity: false-positive rate 100.0 % > 40.0 %\n');
  });

  /** The summary arguments with a 40 % profanity floor, which a.jsonl meets as it is; and a one-line file for `option`. */
  function withLineFile(option: string, line: string): { args: string[]; file: string } {
    const floors = path.join(dir, `profanity-floor${option}.yaml`);
    writeFileSync(floors, 'labels: { profanity: { max_fp: 0.4 } }\n');
    const file = path.join(dir, `${option.slice(2)}.txt`);
    writeFileSync(file, `${line}\n`);
    return { args: ['--pack', packDir, '--corpus', path.join(dir, 'a.jsonl'), '--summary', '--floors', floors], file };
  }

  it('--tails scores every item with one of the tails appended, before the tag', () => {
    const { args, file } = withLineFile('--tails', 'darn it, link in bio');
    expect(cli(args).status).toBe(0);
    const tailed = cli([...args, '--tails', file, '--tag', '#AI']);
    expect(tailed.status).toBe(1);
    expect(tailed.stderr).toBe('below floor: label profanity: false-positive rate 100.0 % > 40.0 %\n');
  });

  it('--openers scores every item with one of the openers before its first post', () => {
    const { args, file } = withLineFile('--openers', 'darn it, PSA:');
    expect(cli(args).status).toBe(0);
    const opened = cli([...args, '--openers', file]);
    expect(opened.status).toBe(1);
    expect(opened.stderr).toBe('below floor: label profanity: false-positive rate 100.0 % > 40.0 %\n');
    const missing = cli([...args, '--openers', path.join(dir, 'no-openers.txt')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('openers file not found');
  });

  it('answers bad arguments with usage and exit 2', () => {
    const result = cli(['--pack', packDir, '--corpus', path.join(dir, 'a.jsonl'), '--max-fp', '5']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--min-recall and --max-fp take a number between 0 and 1');
  });
});
