/**
 * Profanity table of `npm run bench` (issue 12): gatehouse's profanity check and the npm peers
 * on the labelled test split (rules/qa/eval/test/*.jsonl, every group: their profanity labels
 * count for false positives too), in one run: recall, false-positive rate and µs per post.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface CorpusItem {
  id: string;
  content: string | string[];
  profane: boolean;
}

export function loadSplit(dir: string): CorpusItem[] {
  const items: CorpusItem[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort()) {
    for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const item = JSON.parse(line) as { id: string; content: string | string[]; labels?: Record<string, boolean> };
      items.push({ id: item.id, content: item.content, profane: item.labels?.profanity === true });
    }
  }
  return items;
}

export interface DetectionScore {
  recall: number;
  fpRate: number;
  tp: number;
  fn: number;
  fp: number;
  tn: number;
  usPerPost: number;
}

/** Scores one detector (true = profane) over the items; time is the median of three passes. */
export async function score(items: readonly CorpusItem[], detect: (content: string | string[]) => boolean | Promise<boolean>): Promise<DetectionScore> {
  let tp = 0;
  let fn = 0;
  let fp = 0;
  let tn = 0;
  for (const item of items) {
    const got = await detect(item.content);
    if (item.profane) got ? tp++ : fn++;
    else got ? fp++ : tn++;
  }
  const passes: number[] = [];
  for (let pass = 0; pass < 3; pass++) {
    const start = process.hrtime.bigint();
    for (const item of items) await detect(item.content);
    passes.push(Number(process.hrtime.bigint() - start) / 1000 / items.length);
  }
  passes.sort((a, b) => a - b);
  return { recall: tp / (tp + fn), fpRate: fp / (fp + tn), tp, fn, fp, tn, usPerPost: passes[1]! };
}
