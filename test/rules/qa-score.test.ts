/**
 * The default pack's detection floors: `gatehouse score` on the test split of its
 * labelled corpus, with the floors committed in rules/qa/eval/floors.yaml. A pack
 * change that loses recall or gains false positives below a floor fails CI here.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

const FLOORS = 'rules/qa/eval/floors.yaml';
const TAIL_FLOORS = 'rules/qa/eval/floors-tails.yaml';
const LAUGHTER_FLOORS = 'rules/qa/eval/floors-laughter.yaml';
const FRAMING_FLOORS = 'rules/qa/eval/floors-framing.yaml';
/** A score of the test split takes ~30 s here when the machine is quiet and over 90 s when its two cores are shared. */
const SCORE_TIMEOUT_MS = 300_000;

/** `gatehouse score` of the test split against `floors` with the extra options; asserts it exits 0 (every floor met) and returns its JSON report. */
function scoreTestSplit(floors: string, options: string[] = []): string {
  const run = spawnSync(
    'node',
    ['dist/server/cli.js', 'score', '--pack', 'rules/qa', '--corpus', 'rules/qa/eval/test', ...options, '--floors', floors, '--summary', '--format', 'json'],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout;
}

describe('rules/qa detection on its test split', () => {
  it('meets every committed floor (gatehouse score exits 0)', () => {
    const report = JSON.parse(scoreTestSplit(FLOORS)) as { items: number; labels: Record<string, { recall: number; fp_rate: number }> };
    expect(report.items).toBeGreaterThanOrEqual(900);
    expect(Object.keys(report.labels).sort()).toEqual(['profanity', 'self_harm', 'tos', 'violent_threat']);
  }, SCORE_TIMEOUT_MS);

  it('meets every floor with "#AI" appended to every item, as AI-generated posts that disclose it arrive', () => {
    // The corpus is people's writing and carries no such tag; the service's posts do (the
    // policy-tags check asks for it). A text model that learnt "ai" from spam about "AI trading"
    // tripled TOS false positives on tagged posts (0.9 % -> 2.8 %) until trained with the tag.
    scoreTestSplit(FLOORS, ['--tag', '#AI']);
  }, SCORE_TIMEOUT_MS);

  it('meets the tails floors with a closing sentence and "#AI" appended to every item', () => {
    // Posts of the service end with calls to action, credits and prices that the corpus's harmful
    // posts seldom have ("Link in bio.", "Follow for more!"): before the models were trained with
    // tails, they cut self-harm recall 0.95 -> 0.90 and raised TOS false positives 1.5 -> 6.4 %.
    // test.txt's wordings are not the ones the models were trained with (dev.txt).
    scoreTestSplit(TAIL_FLOORS, ['--tails', 'rules/qa/eval/tails/test.txt', '--tag', '#AI']);
  }, SCORE_TIMEOUT_MS);

  it('meets the laughter floors with "jk", "lol" or a laughing emoji and "#AI" appended to every item', () => {
    // Laughter marks hyperbole, and the threat rules stand down beside it; before the jokey guard's
    // exceptions (a gun, a menace, an address, a school, "not joking") one " jk" appended to every
    // threat of the split took recall from 0.95 to 0.80, and this run scored 0.86 < 0.90.
    scoreTestSplit(LAUGHTER_FLOORS, ['--tails', 'rules/qa/eval/tails/laughter.txt', '--tag', '#AI']);
  }, SCORE_TIMEOUT_MS);

  it('meets the framing floors with an opener before and a friendly closing after every item', () => {
    // "Love you all ❤️" after every threat took recall 0.95 -> 0.87 and "PSA:" before every post
    // took TOS 0.96 -> 0.85: framing words leaned harmless and stood the phrase rules down, until
    // they left the models' reading and the `scores` fact (pack.yaml scores_unless_matched).
    scoreTestSplit(FRAMING_FLOORS, ['--openers', 'rules/qa/eval/tails/openers.txt', '--tails', 'rules/qa/eval/tails/closings.txt', '--tag', '#AI']);
  }, SCORE_TIMEOUT_MS);

  it('commits a floor for every judged label and every profanity evasion family', async () => {
    const floors = parse(await readFile(FLOORS, 'utf8')) as {
      labels: Record<string, { min_recall: number; max_fp: number }>;
      families: Record<string, { min_recall: number }>;
    };
    for (const label of ['profanity', 'violent_threat', 'self_harm', 'tos']) {
      expect(floors.labels[label]?.min_recall, label).toBeGreaterThan(0.5);
      expect(floors.labels[label]?.max_fp, label).toBeLessThanOrEqual(0.02);
    }
    // Issue 12: every evasion family at 0.90 or better.
    for (const family of ['self-censoring', 'phonetic', 'compound-affix', 'spacing', 'unicode']) {
      expect(floors.families[`profanity/${family}`]?.min_recall, family).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('fails when a floor is raised above what the pack achieves', () => {
    const run = spawnSync(
      'node',
      ['dist/server/cli.js', 'score', '--pack', 'rules/qa', '--corpus', 'rules/qa/eval/test/sh.jsonl', '--summary', '--min-recall', '1', '--max-fp', '0'],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    // One file of the split is enough to show it (the first test scores all of it): perfection on
    // 223 posts would be suspicious, and a floor of 1.0 must be able to fail.
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/below floor: label \w+/);
  }, SCORE_TIMEOUT_MS);
});
