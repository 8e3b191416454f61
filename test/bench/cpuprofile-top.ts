/**
 * Top functions of V8 .cpuprofile files (node --cpu-prof) by self time, with
 * their total (inclusive) time: `npx tsx test/bench/cpuprofile-top.ts FILE... [rows]`.
 * Under tsx, node writes two profiles (main thread, loader thread): only the
 * larger one, the main thread, is summarised. `--from=S` skips the first S seconds
 * (a server's start-up, before the load).
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const files = args.filter((a) => a.endsWith('.cpuprofile')).sort((a, b) => statSync(b).size - statSync(a).size);
const rows = Number(args.find((a) => /^\d+$/.test(a)) ?? 25);
const from = Number(args.find((a) => a.startsWith('--from='))?.slice('--from='.length) ?? 0) * 1e6;
if (files.length === 0) throw new Error('usage: cpuprofile-top.ts FILE.cpuprofile... [rows]');
summarise(files[0]!, JSON.parse(readFileSync(files[0]!, 'utf8')) as Profile);

function summarise(file: string, profile: Profile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const keyOf = ({ callFrame: { functionName, url, lineNumber } }: ProfileNode) => {
    const where = url ? `${url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '').replace(`${process.cwd()}${path.sep}`, '')}:${lineNumber + 1}` : '';
    return `${functionName || '(anonymous)'} ${where}`.trim();
  };

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  let at = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    if (at < from) return;
    all += dt;
    const leaf = byId.get(id)!;
    self.set(keyOf(leaf), (self.get(keyOf(leaf)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const key = keyOf(byId.get(n)!);
      if (seen.has(key)) continue;
      seen.add(key);
      total.set(key, (total.get(key) ?? 0) + dt);
    }
  });

  const pct = (v: number) => `${((v / all) * 100).toFixed(1).padStart(5)} %`;
  console.log(`${path.basename(file)}: ${(all / 1e6).toFixed(2)} s sampled\n\n  self    total   function`);
  for (const [key, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    console.log(`${pct(t)}  ${pct(total.get(key) ?? 0)}  ${key}`);
  }
  console.log('');
}
