/**
 * Wall time of one evaluation of long inputs, for one build of the engine or two side by side,
 * so that a cost that grows faster than the text shows (issue 5's time per character; the
 * request limits allow 40,000 units a post and 100 posts, and an operator may raise them):
 *
 *   npx tsx test/bench/long-post-ab.ts BUILD/engine/index.js [OTHER/engine/index.js] [sizes] [pack]
 *
 * Inputs: the worst-case probes of engine/tooling/worst-case.ts (the shapes that cost most per
 * character: `a.` repeated, one endless word, every term of the pack, letterforms, a thread of
 * 100 posts) and the benchmark's prose, each at every size (UTF-16 units; default
 * 25000,40000,100000,250000). Each figure is the fastest of three evaluations after one warm-up,
 * the builds alternating per input. Builds as engine-ab.ts explains.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadEngineBuild, type EngineBuild } from './lib/engine-build.js';
import { prose, type Content } from './lib/inputs.js';

interface Probe {
  name: string;
  input: { content: Content };
}
type CostProbes = (pack: unknown, chars: number, posts: number) => Probe[];

const args = process.argv.slice(2);
const builds = args.filter((a) => a.endsWith('.js'));
const [sizesArg = '25000,40000,100000,250000', packArg] = args.filter((a) => !a.endsWith('.js'));
if (builds.length < 1 || builds.length > 2) throw new Error('usage: long-post-ab.ts BUILD/engine/index.js [OTHER/engine/index.js] [sizes] [pack]');
const packDir = packArg ?? fileURLToPath(new URL('../../rules/qa', import.meta.url));
const sizes = sizesArg.split(',').map(Number);

const loaded: { build: EngineBuild; probes: CostProbes }[] = [];
for (const file of builds) {
  const tooling = (await import(pathToFileURL(path.resolve(path.dirname(file), 'tooling/worst-case.js')).href)) as { costProbes: CostProbes };
  loaded.push({ build: await loadEngineBuild(file, packDir), probes: tooling.costProbes });
}

/** The fastest of three evaluations after one, in ms. */
async function fastest({ engine, pack }: EngineBuild, content: Content): Promise<number> {
  await engine.evaluate(pack, { content, metadata: {} });
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = process.hrtime.bigint();
    await engine.evaluate(pack, { content, metadata: {} });
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return best;
}

console.log(['size', 'input'.padEnd(18), ...builds.map((_, i) => `build ${i + 1} ms`), ...(builds.length === 2 ? ['2 ÷ 1'] : [])].join('  '));
for (const size of sizes) {
  // The probes of the first build: both builds evaluate the same inputs.
  const inputs = [...loaded[0]!.probes(loaded[0]!.build.pack, size, 100), { name: 'prose', input: { content: prose(size, 3) } }];
  for (const { name, input } of inputs) {
    const ms: number[] = [];
    for (const { build } of loaded) ms.push(await fastest(build, input.content));
    const ratio = ms.length === 2 ? [`${(ms[1]! / ms[0]!).toFixed(2)}×`] : [];
    console.log([String(size).padStart(6), name.padEnd(18), ...ms.map((m) => m.toFixed(1).padStart(10)), ...ratio].join('  '));
  }
}
