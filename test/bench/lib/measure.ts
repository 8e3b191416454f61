/**
 * Micro-benchmark timing: warm up, then time batches with process.hrtime.bigint().
 *
 * Samples are batches of `batch` consecutive iterations; `batch` is chosen after
 * warm-up so that one batch lasts at least `minBatchUs` (timer overhead < 0.5 %).
 * Slow subjects (≥ minBatchUs per call, e.g. every gatehouse evaluation) are
 * therefore sampled per iteration; fast peers (leo-profanity) per small batch,
 * and their p99 is the p99 of batch means. Async subjects are awaited one by one
 * inside the timed region (what a caller pays); sync subjects are called in a
 * plain loop with no await inside the timed region. Subjects compared in one
 * table are measured interleaved (measureAll), in slices of SLICE_MS each.
 */

export interface MeasureOptions {
  /** Iterations before timing starts (JIT warm-up). */
  warmupIterations?: number;
  /** Stop warm-up early after this long (only very slow subjects reach it). */
  warmupMaxMs?: number;
  /** Keep sampling until this much time has been timed... */
  minTimeMs?: number;
  /** ...and at least this many samples were taken. */
  minSamples?: number;
  /** Smallest duration of one timed batch. */
  minBatchUs?: number;
}

export interface Stats {
  /** Iterations per timed batch. */
  batch: number;
  samples: number;
  iterations: number;
  warmupIterations: number;
  /** Per-iteration times in µs. */
  medianUs: number;
  p99Us: number;
  meanUs: number;
  /** 1e6 / median: the speed used for every ratio. */
  perSecond: number;
}

export const DEFAULTS: Required<MeasureOptions> = {
  warmupIterations: 2_000,
  warmupMaxMs: 2_000,
  minTimeMs: 1_000,
  minSamples: 50,
  minBatchUs: 25,
};

const now = process.hrtime.bigint;
/** Time each subject gets per round when several are measured interleaved. */
export const SLICE_MS = 20;

/** Keeps results observable so that no call can be optimised away. */
let sink = 0;
function consume(value: unknown): void {
  sink = (sink + (value === true ? 1 : value === false ? 2 : 3)) | 0;
}
export function sinkValue(): number {
  return sink;
}

type Runner = (iterations: number) => Promise<bigint>;

/** A runner that times `iterations` calls and returns the elapsed nanoseconds. */
async function runnerFor(fn: () => unknown): Promise<Runner> {
  const first = fn();
  if (first instanceof Promise) {
    consume(await first);
    const asyncFn = fn as () => Promise<unknown>;
    return async (iterations) => {
      const t0 = now();
      for (let i = 0; i < iterations; i++) consume(await asyncFn());
      return now() - t0;
    };
  }
  consume(first);
  return (iterations) => {
    const t0 = now();
    for (let i = 0; i < iterations; i++) consume(fn());
    return Promise.resolve(now() - t0);
  };
}

/**
 * Measures several subjects interleaved: after each one's warm-up, rounds give
 * every subject ~`SLICE_MS` of batches in turn until each has its minimum time
 * and samples. Load from other processes then falls on all subjects alike, so
 * the ratios between them stay fair on a shared machine.
 */
export async function measureAll(fns: readonly (() => unknown)[], options: MeasureOptions = {}): Promise<Stats[]> {
  const o = { ...DEFAULTS, ...options };
  const subjects: { run: Runner; batch: number; warmed: number; samples: number[]; totalNs: bigint }[] = [];
  for (const fn of fns) {
    globalThis.gc?.();
    const run = await runnerFor(fn);
    // Warm-up, in chunks so that the time cap can be checked.
    let warmed = 1;
    let warmNs = 0n;
    const warmCap = BigInt(o.warmupMaxMs) * 1_000_000n;
    while (warmed < o.warmupIterations && warmNs < warmCap) {
      const chunk = Math.min(100, o.warmupIterations - warmed);
      warmNs += await run(chunk);
      warmed += chunk;
    }
    const estimateNs = Number(warmNs) / Math.max(1, warmed - 1);
    const batch = Math.max(1, Math.ceil((o.minBatchUs * 1_000) / Math.max(1, estimateNs)));
    subjects.push({ run, batch, warmed, samples: [], totalNs: 0n });
  }

  const minNs = BigInt(o.minTimeMs) * 1_000_000n;
  const sliceNs = BigInt(SLICE_MS) * 1_000_000n;
  const unfinished = () => subjects.filter((s) => s.totalNs < minNs || s.samples.length < o.minSamples);
  globalThis.gc?.();
  for (let pending = unfinished(); pending.length > 0; pending = unfinished()) {
    for (const s of pending) {
      let sliceUsed = 0n;
      do {
        const ns = await s.run(s.batch);
        s.totalNs += ns;
        sliceUsed += ns;
        s.samples.push(Number(ns) / s.batch / 1_000);
      } while (sliceUsed < sliceNs);
    }
  }

  return subjects.map(({ batch, warmed, samples, totalNs }) => {
    samples.sort((a, b) => a - b);
    const medianUs = quantile(samples, 0.5);
    return {
      batch,
      samples: samples.length,
      iterations: samples.length * batch,
      warmupIterations: warmed,
      medianUs,
      p99Us: quantile(samples, 0.99),
      meanUs: Number(totalNs) / (samples.length * batch) / 1_000,
      perSecond: 1e6 / medianUs,
    };
  });
}

export async function measure(fn: () => unknown, options: MeasureOptions = {}): Promise<Stats> {
  return (await measureAll([fn], options))[0]!;
}

/** Nearest-rank quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Wall time of a synchronous call, in ms. */
export function timeMs<T>(fn: () => T): { value: T; ms: number } {
  const t0 = now();
  const value = fn();
  return { value, ms: Number(now() - t0) / 1e6 };
}
