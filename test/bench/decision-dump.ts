/**
 * Every decision a build of the engine gives on a pack's corpus, as JSON lines, so that an engine
 * change meant to change no behaviour can be checked byte for byte (`cmp old.jsonl new.jsonl`):
 *
 *   npx tsx test/bench/decision-dump.ts ENGINE/index.js OUT.jsonl [pack]
 *
 * For each item: `evaluate` with and without `explain` (the trace too). Items: the benchmark
 * inputs (with and without the bench's metadata), every post of the pack's eval/test and
 * eval/validation files, and 5,000 posts of eval/dev taken at even steps. The pack defaults to
 * rules/qa; pass a frozen copy while others edit it, and the same one for both builds.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { INPUTS, METADATA, type Content } from './lib/inputs.js';

interface Engine {
  evaluate(pack: unknown, input: { content: Content; metadata?: Record<string, unknown> }, options?: { explain?: boolean }): Promise<unknown>;
  loadPack(dir: string): Promise<unknown>;
}
interface Item {
  id: string;
  content: Content;
  metadata?: Record<string, unknown>;
}

const DEV_SAMPLE = 5_000;
const [enginePath, out, packArg] = process.argv.slice(2);
if (!enginePath || !out) throw new Error('usage: decision-dump.ts ENGINE/index.js OUT.jsonl [pack]');
const packDir = packArg ?? fileURLToPath(new URL('../../rules/qa', import.meta.url));
const engine = (await import(pathToFileURL(path.resolve(enginePath)).href)) as Engine;
const pack = await engine.loadPack(packDir);

/** Every item of the split's .jsonl files, in file and line order. */
function corpus(split: string): Item[] {
  const dir = path.join(packDir, 'eval', split);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((file) =>
      readFileSync(path.join(dir, file), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          const { id, content } = JSON.parse(line) as { id: string; content: Content };
          return { id: `${file}:${id}`, content };
        }),
    );
}

const dev = corpus('dev');
const step = Math.max(1, dev.length / DEV_SAMPLE);
const devSample = Array.from({ length: Math.min(DEV_SAMPLE, dev.length) }, (_, i) => dev[Math.floor(i * step)]!);
const bench = Object.entries(INPUTS);
const items: Item[] = [
  ...bench.map(([name, input]) => ({ id: `bench:${name}`, content: input.content, metadata: METADATA })),
  ...bench.map(([name, input]) => ({ id: `bench-no-metadata:${name}`, content: input.content })),
  ...corpus('test'),
  ...corpus('validation'),
  ...devSample,
];

const lines: string[] = [];
for (const { id, content, metadata } of items) {
  const input = metadata ? { content, metadata } : { content };
  const plain = await engine.evaluate(pack, input);
  const explained = await engine.evaluate(pack, input, { explain: true });
  lines.push(JSON.stringify({ id, plain, explained }));
}
const text = `${lines.join('\n')}\n`;
writeFileSync(out, text);
console.log(`${items.length} items, sha256 ${createHash('sha256').update(text).digest('hex').slice(0, 16)}`);
