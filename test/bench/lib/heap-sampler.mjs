/**
 * Preloaded into a gatehouse server (`BENCH_NODE_ARGS=--import=./test/bench/lib/heap-sampler.mjs`)
 * to find what the server allocates per request: V8's sampling heap profiler (objects later
 * collected included) starts once HEAP_SAMPLE_AFTER requests have arrived (default 3000, past
 * the warm-up) and stops at exit, writing HEAP_SAMPLE_DIR/heap-<pid>.json: the allocation sites
 * with bytes per request (requests counted through node's http.server.request.start channel).
 * Summarise with `node test/bench/lib/heap-sampler.mjs FILE [rows]`. HEAP_SAMPLE_SURVIVORS=1 keeps
 * only what survived a scavenge (what the scavenges copy and promote, and major GCs then mark).
 */
import { subscribe } from 'node:diagnostics_channel';
import { Session } from 'node:inspector';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, rows = '40'] = process.argv.slice(2);
  const { requests, sites, profile } = JSON.parse(readFileSync(file, 'utf8'));
  const total = sites.reduce((s, [, b]) => s + b, 0);
  const show = (list) => list.slice(0, Number(rows)).forEach(([site, bytes]) => console.log(`${String(Math.round(bytes / requests)).padStart(8)}  ${site}`));
  console.log(`${requests} requests sampled, ~${Math.round(total / requests)} bytes per request\n\nby allocating function (bytes per request):`);
  show(sites);
  console.log(`\nby the innermost gatehouse function on the stack (engine/ counted as one):`);
  show(byOwner(profile));
} else {
  const after = Number(process.env.HEAP_SAMPLE_AFTER ?? 3000);
  const interval = Number(process.env.HEAP_SAMPLE_INTERVAL ?? 1024);
  const dir = process.env.HEAP_SAMPLE_DIR ?? '/tmp/heap-sample';
  const survivors = process.env.HEAP_SAMPLE_SURVIVORS === '1';
  const session = new Session();
  session.connect();
  let seen = 0;
  let sampledFrom = -1;
  subscribe('http.server.request.start', () => {
    seen++;
    if (seen === after) {
      session.post('HeapProfiler.enable');
      // HEAP_SAMPLE_SURVIVORS=1: leave out what a scavenge collected, so that what remains is what
      // survived one (promoted to the old generation, the scavenges' and major GCs' work).
      session.post('HeapProfiler.startSampling', { samplingInterval: interval, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !survivors });
      sampledFrom = seen;
    }
  });
  process.on('exit', () => {
    if (sampledFrom < 0) return;
    session.post('HeapProfiler.stopSampling', (err, result) => {
      if (err) return;
      const bySite = new Map();
      const walk = (node, stack) => {
        const { functionName, url, lineNumber } = node.callFrame;
        const here = `${functionName || '(anonymous)'} ${url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, '')}:${lineNumber + 1}`;
        if (node.selfSize > 0) bySite.set(here, (bySite.get(here) ?? 0) + node.selfSize);
        for (const child of node.children) walk(child, stack);
      };
      walk(result.profile.head);
      mkdirSync(dir, { recursive: true });
      const sites = [...bySite].sort((a, b) => b[1] - a[1]);
      writeFileSync(path.join(dir, `heap-${process.pid}.json`), JSON.stringify({ requests: seen - sampledFrom, sites, profile: result.profile }));
    });
  });
}

/** Bytes by the innermost frame of gatehouse's own code (server/, contract/; engine/ as one), library frames folded into it. */
function byOwner(profile) {
  const name = ({ functionName, url, lineNumber }) => `${functionName || '(anonymous)'} ${url.replace(/^.*\/dist\//, '')}:${lineNumber + 1}`;
  const totals = new Map();
  const walk = (node, owner) => {
    const { url } = node.callFrame;
    if (/\/dist\/engine\//.test(url)) owner = 'engine/ (all of it)';
    else if (/\/dist\/(server|contract)\//.test(url) && owner !== 'engine/ (all of it)') owner = name(node.callFrame);
    const key = owner ?? `(no gatehouse frame) ${name(node.callFrame).replace(/^.*node_modules\//, '')}`;
    if (node.selfSize > 0) totals.set(key, (totals.get(key) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child, owner);
  };
  walk(profile.head, undefined);
  return [...totals].sort((a, b) => b[1] - a[1]);
}
