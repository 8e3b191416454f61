/**
 * Evaluates one benchmark input with the default pack in a loop, for a CPU profile:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/gatehouse-prof --import tsx test/bench/profile.ts violations 10
 *   npx tsx test/bench/cpuprofile-top.ts /tmp/gatehouse-prof/*.cpuprofile
 *
 * Inputs: the keys of INPUTS in lib/inputs.ts (clean, violations, thread, long, medium, oneFinding).
 * A third argument names another pack directory (default rules/qa), e.g. a frozen copy while
 * the pack is being edited.
 */
import { fileURLToPath } from 'node:url';
import { evaluate, loadPack } from '../../engine/index.js';
import { INPUTS, METADATA, type InputId } from './lib/inputs.js';

const [name = 'violations', seconds = '10', packDir] = process.argv.slice(2);
if (!(name in INPUTS)) throw new Error(`unknown input "${name}"; one of: ${Object.keys(INPUTS).join(', ')}`);
const { content, label } = INPUTS[name as InputId];
const pack = await loadPack(packDir ?? fileURLToPath(new URL('../../rules/qa', import.meta.url)));

const until = Date.now() + Number(seconds) * 1_000;
let runs = 0;
while (Date.now() < until) {
  for (let i = 0; i < 100; i++) await evaluate(pack, { content, metadata: METADATA });
  runs += 100;
}
console.log(`${runs} evaluations of "${label}" in ${seconds} s (${((Number(seconds) * 1e6) / runs).toFixed(1)} µs each)`);
