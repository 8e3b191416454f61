/**
 * Bytes allocated per evaluation of one benchmark input, and the functions that allocate them
 * (V8's sampling heap profiler, every 256 bytes, objects later collected included):
 *
 *   npx tsx test/bench/alloc-profile.ts ENGINE/index.js [input] [pack] [rows]
 *
 * ENGINE is a build as for engine-ab.ts (a compiled build names the engine's own functions; an
 * inlined callee is counted in its caller). Input: a key of INPUTS in lib/inputs.ts (default
 * violations); pack: default rules/qa.
 */
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { INPUTS, METADATA, type Content, type InputId } from './lib/inputs.js';

interface Engine {
  evaluate(pack: unknown, input: { content: Content; metadata: Record<string, unknown> }): Promise<unknown>;
  loadPack(dir: string): Promise<unknown>;
}
interface SampleNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SampleNode[];
}

const [enginePath, name = 'violations', packArg, rowsArg = '30'] = process.argv.slice(2);
if (!enginePath) throw new Error('usage: alloc-profile.ts ENGINE/index.js [input] [pack] [rows]');
if (!(name in INPUTS)) throw new Error(`unknown input "${name}"; one of: ${Object.keys(INPUTS).join(', ')}`);
const engine = (await import(pathToFileURL(path.resolve(enginePath)).href)) as Engine;
const pack = await engine.loadPack(packArg ?? fileURLToPath(new URL('../../rules/qa', import.meta.url)));
const { content } = INPUTS[name as InputId];
const run = () => engine.evaluate(pack, { content, metadata: METADATA });
for (let i = 0; i < 5_000; i++) await run();

const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
const RUNS = 20_000;
for (let i = 0; i < RUNS; i++) await run();
const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: SampleNode } };

const bySite = new Map<string, number>();
let total = 0;
const walk = (node: SampleNode): void => {
  const { functionName, url, lineNumber } = node.callFrame;
  const site = `${functionName || '(anonymous)'} ${url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '')}:${lineNumber + 1}`;
  total += node.selfSize;
  if (node.selfSize > 0) bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
  for (const child of node.children) walk(child);
};
walk(profile.head);
console.log(`${INPUTS[name as InputId].label}: ~${Math.round(total / RUNS)} bytes per evaluation\n`);
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, Number(rowsArg))) {
  console.log(`${String(Math.round(bytes / RUNS)).padStart(8)}  ${site}`);
}
session.disconnect();
