/**
 * CPU time of two builds of the engine on many different posts, each evaluated once per build:
 * what a service sees, where caches built for one post (re2js's lazy DFA states, the phrase
 * sets' memo) only help the next one as far as the posts look alike. engine-ab.ts repeats one
 * post a thousand times and cannot show a cache that thrashes.
 *
 *   npx tsx test/bench/corpus-ab.ts OLD/engine/index.js NEW/engine/index.js [FILE.jsonl|DIR] [block] [pack]
 *
 * Builds as engine-ab.ts says (each below a package.json with "type": "module"). The posts
 * (default: the dev split, shuffled with a fixed seed) go by in blocks of `block` (default 500),
 * each block timed with process.cpuUsage for the old build and then the new one, the order
 * alternating from block to block. Prints the µs per post of each build over all blocks, and the
 * median and range of new ÷ old per block.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { shuffledPosts } from './lib/corpus-posts.js';
import { loadEngineBuild, type EngineBuild } from './lib/engine-build.js';
import { METADATA, type Content } from './lib/inputs.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const [oldPath, newPath, corpusArg = path.join(ROOT, 'rules/qa/eval/dev'), blockArg = '500', packArg] = process.argv.slice(2);
if (!oldPath || !newPath) throw new Error('usage: corpus-ab.ts OLD/engine/index.js NEW/engine/index.js [FILE.jsonl|DIR] [block] [pack]');
const packDir = packArg ?? path.join(ROOT, 'rules/qa');
const block = Number(blockArg);

async function cpu({ engine, pack }: EngineBuild, contents: readonly Content[]): Promise<number> {
  const before = process.cpuUsage();
  for (const content of contents) await engine.evaluate(pack, { content, metadata: METADATA });
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

const all = shuffledPosts(corpusArg);
const before = await loadEngineBuild(oldPath, packDir);
const after = await loadEngineBuild(newPath, packDir);
let oldTotal = 0;
let newTotal = 0;
const ratios: number[] = [];
for (let start = 0, n = 0; start < all.length; start += block, n++) {
  const slice = all.slice(start, start + block);
  const [first, second] = n % 2 === 0 ? [before, after] : [after, before];
  const a = await cpu(first, slice);
  const b = await cpu(second, slice);
  const [o, w] = n % 2 === 0 ? [a, b] : [b, a];
  oldTotal += o;
  newTotal += w;
  ratios.push(w / o);
}
ratios.sort((x, y) => x - y);
const f = (x: number) => x.toFixed(2);
console.log(`${all.length} posts from ${path.relative(ROOT, corpusArg) || corpusArg}, blocks of ${block}, pack ${path.relative(ROOT, packDir) || packDir}`);
console.log(`old ${(oldTotal / all.length).toFixed(1)} µs/post   new ${(newTotal / all.length).toFixed(1)} µs/post   new ÷ old ${f(newTotal / oldTotal)}`);
console.log(`per block: median ${f(ratios[ratios.length >> 1]!)}, range ${f(ratios[0]!)}–${f(ratios.at(-1)!)} over ${ratios.length} blocks`);
