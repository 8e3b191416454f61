/**
 * How fast this machine forgets a working set: the cost of the same work right after itself and
 * after a gap of a few milliseconds, for the engine and for a plain random read over a buffer.
 *
 *   npx tsx test/bench/cache-decay.ts [rounds]
 *
 * Why (issue 14, the tail at half rate): at a fixed rate of ~1,100 req/s a gatehouse request cost
 * ~900 CPU µs against ~380 at saturation, and ~2 ms at 100 req/s; the engine's share grew most. At
 * saturation decision 19's batches run evaluations back to back; at a fixed rate each one comes
 * alone, a millisecond or more after the last. The gap is either spent spinning (the core stays busy and
 * this process touches no memory) or asleep (Atomics.wait). A plain random read over a buffer shows
 * whether the slowdown is the machine's caches (an effect of time, not of gatehouse) or something
 * the engine does: the random read touches only its buffer, so if it slows after a spin, the cache
 * lines were evicted by something other than this process (a VM's neighbours or its vCPU moving).
 *
 * Prints, per workload and gap, the median time of the work after the gap, and its ratio to
 * back-to-back. Speed only: nothing here is a test.
 */
import { fileURLToPath } from 'node:url';
import { evaluate, loadPack } from '../../engine/index.js';
import { INPUTS, METADATA } from './lib/inputs.js';

const ROUNDS = Number(process.argv[2] ?? 3);
const GAPS_MS = [0, 0.2, 1, 4];
const sleeper = new Int32Array(new SharedArrayBuffer(4));

type Work = () => unknown;

/** A random read of 20,000 Int32s over `megabytes` of memory (a fixed permutation of indices). */
function randomRead(megabytes: number): Work {
  const size = (megabytes * 1024 * 1024) / 4;
  const data = new Int32Array(size).map((_, i) => Math.imul(i, 0x9e3779b1) >>> 8);
  const at = Int32Array.from({ length: 20_000 }, (_, i) => (Math.imul(i, 0x2c1b3c6d) >>> 0) % size);
  return () => {
    let sum = 0;
    for (let k = 0; k < at.length; k++) sum += data[at[k]!]!;
    return sum;
  };
}

function gap(ms: number, how: 'spin' | 'sleep'): void {
  if (ms === 0) return;
  if (how === 'sleep') {
    Atomics.wait(sleeper, 0, 0, ms);
    return;
  }
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** Median µs of `work` measured `times` times, each after a gap. */
async function timed(work: Work, gapMs: number, how: 'spin' | 'sleep', times: number): Promise<number> {
  const took: number[] = [];
  for (let i = 0; i < times; i++) {
    gap(gapMs, how);
    const start = performance.now();
    await work();
    took.push(performance.now() - start);
  }
  took.sort((a, b) => a - b);
  return took[took.length >> 1]! * 1000;
}

const pack = await loadPack(fileURLToPath(new URL('../../rules/qa', import.meta.url)));
const post = INPUTS.oneFinding;
const workloads: [string, Work][] = [
  [`engine, ${post.label}`, () => evaluate(pack, { content: post.content, metadata: METADATA })],
  ['random read over 1 MiB', randomRead(1)],
  ['random read over 8 MiB', randomRead(8)],
];

const columns = GAPS_MS.flatMap((ms) => (ms === 0 ? ['back to back'] : [`spin ${ms} ms`, `sleep ${ms} ms`]));
console.log(`median µs of the work after each gap (${ROUNDS} rounds of 400; ratio to back to back)\n`);
console.log(['workload'.padEnd(42), ...columns.map((c) => c.padStart(16))].join(''));
for (const [name, work] of workloads) {
  for (let i = 0; i < 300; i++) await work();
  const medians = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const ms of GAPS_MS) {
      for (const how of ms === 0 ? (['spin'] as const) : (['spin', 'sleep'] as const)) {
        const key = ms === 0 ? 'back to back' : `${how} ${ms} ms`;
        medians.set(key, [...(medians.get(key) ?? []), await timed(work, ms, how, 400)]);
      }
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  const base = median(medians.get('back to back')!);
  const cells = columns.map((c) => {
    const value = median(medians.get(c)!);
    return (c === 'back to back' ? `${value.toFixed(1)}` : `${value.toFixed(1)} (${(value / base).toFixed(1)}×)`).padStart(16);
  });
  console.log([name.padEnd(42), ...cells].join(''));
}
