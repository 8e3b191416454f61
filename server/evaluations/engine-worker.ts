/**
 * One engine worker thread (run by piscina, see engine-workers.ts). The packs it
 * evaluates with arrive in workerData (each document with its prebuilt bytes, the
 * phrase sets and models the main thread built) and are compiled here, at start, before the
 * module finishes loading: piscina sends a respawned worker no task before then,
 * so a compile never counts against an evaluation's time budget.
 */
import { workerData } from 'node:worker_threads';
import { compilePack, evaluate, type CompiledPack, type EngineDecision, type EvaluationInput, type ResolvedPack } from '../../engine/index.js';

export interface WorkerPack {
  /** `id@version#hash`: the same content always has the same ref. */
  ref: string;
  resolved: ResolvedPack;
}

export type WorkerTask = { ping: true } | { ref: string; input: EvaluationInput };

/** `missing`: this generation of workers was not given the pack (the caller starts a new one). */
export type WorkerResult = { pong: true } | { decision: EngineDecision } | { missing: string };

const WARM_UP = 'Warm-up post: our launch is on Friday at https://example.com #launch @team, see you there! 1/2';
const compiled = new Map<string, CompiledPack>();
const given = workerData as { packs: string; prebuilt?: Uint8Array[] };
(JSON.parse(given.packs) as WorkerPack[]).forEach((pack, i) => compiled.set(pack.ref, compilePack(pack.resolved, { prebuilt: given.prebuilt?.[i] })));
// One small evaluation per pack before the first task: a cold worker's first evaluation runs
// unoptimised code, and on a busy machine that alone can take a long post past its budget.
// Not awaited at the top level (piscina loads this file with require() first, which refuses a
// module with top-level await): it runs before any task message is taken off the port.
for (const pack of compiled.values()) evaluate(pack, { content: WARM_UP }).catch(() => undefined);

export default async function run(task: WorkerTask): Promise<WorkerResult> {
  if ('ping' in task) return { pong: true };
  const pack = compiled.get(task.ref);
  if (!pack) return { missing: task.ref };
  return { decision: await evaluate(pack, task.input) };
}
