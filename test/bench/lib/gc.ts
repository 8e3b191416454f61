/**
 * Memory figures need a forced GC. When `gc` is not exposed, re-run this very
 * script (same node, same loader flags from tsx) with --expose-gc once.
 */
import { spawn } from 'node:child_process';

const CHILD_MARK = 'GATEHOUSE_BENCH_GC_CHILD';

/**
 * Returns true when the caller should continue in this process. Returns false
 * after having run the script again in a child with --expose-gc (whose exit
 * code becomes ours).
 */
export async function ensureExposedGc(): Promise<boolean> {
  if (typeof globalThis.gc === 'function' || process.env[CHILD_MARK]) return true;
  const args = [...process.execArgv, '--expose-gc', ...process.argv.slice(1)];
  const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, [CHILD_MARK]: '1' } });
  const code = await new Promise<number>((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  process.exitCode = code;
  return false;
}

export function gcAvailable(): boolean {
  return typeof globalThis.gc === 'function';
}

/** Two full collections (the second catches what finalisers released). */
export function fullGc(): void {
  globalThis.gc?.();
  globalThis.gc?.();
}

/** Retained memory of whatever `build` returns: RSS and heap deltas after forced GCs. */
export function retained<T>(build: () => T): { value: T; rssBytes: number; heapBytes: number; rssAfterBytes: number } {
  fullGc();
  const before = process.memoryUsage();
  const value = build();
  fullGc();
  const after = process.memoryUsage();
  const heap = (m: NodeJS.MemoryUsage) => m.heapUsed + m.external;
  return { value, rssBytes: after.rss - before.rss, heapBytes: heap(after) - heap(before), rssAfterBytes: after.rss };
}
