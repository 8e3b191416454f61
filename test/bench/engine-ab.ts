/**
 * CPU time of two builds of the engine, interleaved in one process, for an engine change:
 *
 *   git worktree add /tmp/base HEAD && (cd /tmp/base && ln -s "$PWD/node_modules" && npx tsc -p tsconfig.json)
 *   npx tsc -p tsconfig.json --outDir /tmp/builds/new && echo '{"type":"module"}' > /tmp/builds/package.json
 *   npx tsx test/bench/engine-ab.ts /tmp/base/dist/engine/index.js /tmp/builds/new/engine/index.js [rounds] [inputs] [pack]
 *
 * A build must sit below a package.json with "type": "module" (the checkout's own does for
 * dist/): without one, Node takes the .js files for CommonJS and tsx recompiles them on load,
 * and that build runs 10–15 % slower than the same files compiled once (an A/A pair measured
 * 1.14×). Run a pair in both load orders (old, new and new, old) when
 * a few per cent matter.
 *
 * Both builds compile the same pack (default rules/qa; pass a frozen copy while others edit it)
 * and are warmed on every input. Then each round runs, per input, a block of evaluations of the
 * old build and one of the new (1,000 each; 100 for the thread, 20 for the 28,000-character text),
 * in alternating order, timed with process.cpuUsage: on a shared machine whose speed swings by
 * ±30 % from minute to minute, only the ratio within a round means much. Prints per input the
 * medians of CPU µs per evaluation and the median and range of new ÷ old over the rounds.
 * Inputs: the keys of INPUTS in lib/inputs.ts (default clean,violations,thread).
 */
import { fileURLToPath } from 'node:url';
import { loadEngineBuild, type EngineBuild } from './lib/engine-build.js';
import { INPUTS, METADATA, type Content, type InputId } from './lib/inputs.js';

const [oldPath, newPath, roundsArg = '9', inputsArg = 'clean,violations,thread', packArg] = process.argv.slice(2);
if (!oldPath || !newPath) throw new Error('usage: engine-ab.ts OLD/engine/index.js NEW/engine/index.js [rounds] [inputs] [pack]');
const packDir = packArg ?? fileURLToPath(new URL('../../rules/qa', import.meta.url));
const names = inputsArg.split(',') as InputId[];
for (const name of names) if (!(name in INPUTS)) throw new Error(`unknown input "${name}"; one of: ${Object.keys(INPUTS).join(', ')}`);
const BLOCK: Partial<Record<InputId, number>> = { thread: 100, long: 20, medium: 200 };

/** CPU µs per evaluation over `runs` evaluations. */
async function cpuPerEvaluation({ engine, pack }: EngineBuild, content: Content, runs: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < runs; i++) await engine.evaluate(pack, { content, metadata: METADATA });
  const used = process.cpuUsage(before);
  return (used.user + used.system) / runs;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const before = await loadEngineBuild(oldPath, packDir);
const after = await loadEngineBuild(newPath, packDir);
for (const name of names) {
  const runs = Math.max(200, BLOCK[name] ?? 1_000);
  for (const subject of [before, after, before, after]) await cpuPerEvaluation(subject, INPUTS[name].content, runs);
}

const results = new Map(names.map((name) => [name, { old: [] as number[], new: [] as number[], ratio: [] as number[] }]));
for (let round = 0; round < Number(roundsArg); round++) {
  for (const name of names) {
    const runs = BLOCK[name] ?? 1_000;
    const content = INPUTS[name].content;
    // Alternate which build goes first, so that neither always runs right after the warm-up of the other.
    const [first, second] = round % 2 === 0 ? [before, after] : [after, before];
    const a = await cpuPerEvaluation(first, content, runs);
    const b = await cpuPerEvaluation(second, content, runs);
    const [oldCpu, newCpu] = round % 2 === 0 ? [a, b] : [b, a];
    const r = results.get(name)!;
    r.old.push(oldCpu);
    r.new.push(newCpu);
    r.ratio.push(newCpu / oldCpu);
  }
}
for (const [name, r] of results) {
  console.log(
    `${name.padEnd(11)} old ${median(r.old).toFixed(1).padStart(8)} µs  new ${median(r.new).toFixed(1).padStart(8)} µs  ` +
      `new ÷ old ${median(r.ratio).toFixed(3)} (${Math.min(...r.ratio).toFixed(3)}–${Math.max(...r.ratio).toFixed(3)}, ${r.ratio.length} rounds)`,
  );
}
