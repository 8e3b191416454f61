/**
 * The posts of a corpus split (or one .jsonl file), in a fixed shuffle, for benchmarks that
 * evaluate many different posts once each (corpus-ab.ts, table 7 of engine-bench.ts): the files
 * are grouped by theme, and a block of one theme says little.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Content } from './inputs.js';

export function shuffledPosts(source: string): Content[] {
  const files = statSync(source).isDirectory() ? readdirSync(source).filter((f) => f.endsWith('.jsonl')).sort().map((f) => path.join(source, f)) : [source];
  const out: Content[] = [];
  for (const file of files) for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim()) out.push((JSON.parse(line) as { content: Content }).content);
  let seed = 7;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
