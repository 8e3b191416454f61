/**
 * The cost of the worker hop (issue 13 item 2, issue 14's CPU budget):
 * `npx tsx test/bench/engine-workers-bench.ts`.
 *
 * For each input size, in the same run and interleaved: the engine inline on the
 * main thread against the same evaluation sent to the piscina pool of
 * server/evaluations/engine-workers.ts. Prints the median wall latency of one
 * evaluation at a time, and the process CPU per evaluation (process.cpuUsage()
 * counts every thread, so the workers' CPU is in it). The inline threshold
 * (GATEHOUSE_ENGINE_INLINE_CHARS) is read from these figures: see
 * docs/decisions/0011-engine-worker-pool.md.
 */
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadPack, type EvaluationInput } from '../../engine/index.js';
import { inlineRunner } from '../../server/evaluations/engine-runner.js';
import { createEngineWorkers } from '../../server/evaluations/engine-workers.js';

const PACK_DIR = fileURLToPath(new URL('../../rules/qa', import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const PER_ROUND = Number(process.env.PER_ROUND ?? 200);

const clean = 'Our spring collection lands Friday: linen shirts, light jackets and the sandals you asked for. Pre-order today at the link in bio and get free shipping on your first order. #spring #launch';
const flagged = 'This damn launch is fucking great, you idiots should buy it before the shit sells out. Visit www.example.com/deal?ref=abc #ad';
const INPUTS: [string, EvaluationInput][] = [
  ['clean 190 chars', { content: clean, platform: 'x' }],
  ['violations 120 chars', { content: flagged, platform: 'x' }],
  ['clean 2 kB', { content: clean.repeat(11), platform: 'threads' }],
  ['mixed 8 kB', { content: (clean + ' ' + flagged).repeat(26), platform: 'threads' }],
  ['hostile "a." 8 kB', { content: 'a.'.repeat(4_000), platform: 'x' }],
  ['hostile "a." 40 kB', { content: 'a.'.repeat(20_000), platform: 'x' }],
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const pack = await loadPack(PACK_DIR);
  const workers = createEngineWorkers({ threads: 2, inlineChars: 0, logger: pino({ level: 'silent' }) });
  const inline = inlineRunner();
  process.stderr.write('warming the workers (compiling the pack in each)…\n');
  await workers.warm([pack]);
  const runners = { inline, pool: workers } as const;
  const results = new Map<string, { wall: number[]; cpu: number[] }>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, input] of INPUTS) {
      const per = label.includes('40 kB') ? Math.max(5, PER_ROUND / 20) : label.includes('kB') ? Math.max(10, PER_ROUND / 4) : PER_ROUND;
      for (const [name, runner] of Object.entries(runners)) {
        for (let i = 0; i < 3; i++) await runner.run(pack, input, 60_000);
        const cpu0 = process.cpuUsage();
        const wall: number[] = [];
        for (let i = 0; i < per; i++) {
          const t = performance.now();
          await runner.run(pack, input, 60_000);
          wall.push(performance.now() - t);
        }
        const cpu = process.cpuUsage(cpu0);
        const key = `${label}\u0000${name}`;
        const r = results.get(key) ?? { wall: [], cpu: [] };
        r.wall.push(median(wall));
        r.cpu.push((cpu.user + cpu.system) / per);
        results.set(key, r);
      }
    }
    process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
  }
  await workers.close();
  const rows = [['input', 'inline wall ms', 'pool wall ms', 'hop ms', 'inline CPU µs', 'pool CPU µs', 'hop CPU µs']];
  for (const [label] of INPUTS) {
    const a = results.get(`${label}\u0000inline`)!;
    const b = results.get(`${label}\u0000pool`)!;
    const [wa, wb, ca, cb] = [median(a.wall), median(b.wall), median(a.cpu), median(b.cpu)];
    rows.push([label, wa.toFixed(3), wb.toFixed(3), (wb - wa).toFixed(3), ca.toFixed(0), cb.toFixed(0), (cb - ca).toFixed(0)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows) process.stdout.write(`${row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}\n`);
  process.stdout.write(`(medians of ${ROUNDS} interleaved rounds; one evaluation at a time; CPU counts all threads)\n`);
}

await main();
