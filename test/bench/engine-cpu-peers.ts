/**
 * CPU time of two builds of the engine and of obscenity's hasMatch() (the peer of issues 5 and
 * 14), interleaved in one process: what the engine gained against the session start, and where
 * each build stands against obscenity, when the machine is too busy for `npm run bench`'s wall
 * times (those inflate gatehouse's far more than obscenity's under load).
 *
 *   npx tsx test/bench/engine-cpu-peers.ts OLD/engine/index.js NEW/engine/index.js [rounds] [pack]
 *
 * Builds as for engine-ab.ts (each below a package.json with "type": "module"). Each round runs
 * a block of the clean post, the post with violations and the thread (1,000 calls; 100 for the
 * thread) per subject, the order reversed every other round, timed with process.cpuUsage.
 * Prints per input the medians, new ÷ old with its range, and each build's speed ÷ obscenity's.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';
import { INPUTS, METADATA, type Content, type InputId } from './lib/inputs.js';

interface Engine {
  evaluate(pack: unknown, input: { content: Content; metadata: Record<string, unknown> }): Promise<unknown>;
  loadPack(dir: string): Promise<unknown>;
}

const [oldPath, newPath, roundsArg = '9', packArg] = process.argv.slice(2);
if (!oldPath || !newPath) throw new Error('usage: engine-cpu-peers.ts OLD/engine/index.js NEW/engine/index.js [rounds] [pack]');
const packDir = packArg ?? fileURLToPath(new URL('../../rules/qa', import.meta.url));
const NAMES: InputId[] = ['clean', 'violations', 'thread'];
const obscenity = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });

async function engineSubject(file: string): Promise<(content: Content) => Promise<unknown>> {
  const engine = (await import(pathToFileURL(path.resolve(file)).href)) as Engine;
  const pack = await engine.loadPack(packDir);
  return (content) => engine.evaluate(pack, { content, metadata: METADATA });
}

/** The peer checks profanity only; for a thread it loops over the posts. */
async function peer(content: Content): Promise<boolean> {
  let hit = false;
  for (const post of Array.isArray(content) ? content : [content]) hit = obscenity.hasMatch(post) || hit;
  return hit;
}

async function cpuPerCall(run: (content: Content) => Promise<unknown>, content: Content, calls: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < calls; i++) await run(content);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const subjects = [await engineSubject(oldPath), await engineSubject(newPath), peer];
for (const name of NAMES) for (const run of subjects) await cpuPerCall(run, INPUTS[name].content, name === 'thread' ? 200 : 2_000);

for (const name of NAMES) {
  const calls = name === 'thread' ? 100 : 1_000;
  const times: number[][] = [[], [], []];
  const ratio: number[] = [];
  for (let round = 0; round < Number(roundsArg); round++) {
    const order = round % 2 === 0 ? [0, 1, 2] : [2, 1, 0];
    const t: number[] = [];
    for (const i of order) t[i] = await cpuPerCall(subjects[i]!, INPUTS[name].content, calls);
    t.forEach((v, i) => times[i]!.push(v));
    ratio.push(t[1]! / t[0]!);
  }
  const [oldCpu, newCpu, peerCpu] = times.map(median) as [number, number, number];
  console.log(
    `${name.padEnd(10)} old ${oldCpu.toFixed(1)} µs  new ${newCpu.toFixed(1)} µs  obscenity ${peerCpu.toFixed(1)} µs  ` +
      `new ÷ old ${median(ratio).toFixed(3)} (${Math.min(...ratio).toFixed(3)}–${Math.max(...ratio).toFixed(3)})  ` +
      `speed ÷ obscenity: old ${(peerCpu / oldCpu).toFixed(2)}×, new ${(peerCpu / newCpu).toFixed(2)}×`,
  );
}
