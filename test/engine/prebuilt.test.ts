import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compilePack, evaluate, loadPack, prebuiltOf, PrebuiltError, type CompiledPack } from '../../engine/index.js';
import { CLASSES, prebuiltBytes, readPrebuilt } from '../../engine/prebuilt.js';
import { Vocabulary } from '../../engine/phrases/vocabulary.js';

const QA = path.resolve(import.meta.dirname, '../../rules/qa');
const ENGINE = path.resolve(import.meta.dirname, '../../engine');

/** Every 7th post of the test split (~470 of every label and family), threads as they are written. */
function sample(): unknown[] {
  const dir = path.join(QA, 'eval/test');
  const items = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { content: unknown }).content));
  return items.filter((_, i) => i % 7 === 0);
}

/** A decision without its timing, for comparing two packs' answers. */
async function answers(pack: CompiledPack, contents: unknown[]): Promise<string[]> {
  const out: string[] = [];
  for (const content of contents) {
    const decision = await evaluate(pack, { content: content as string, metadata: { required_tags: ['#AI'] } }, { explain: true });
    out.push(JSON.stringify({ ...decision, latency_ms: 0 }));
  }
  return out;
}

describe('a pack compiled from prebuilt bytes (engine/prebuilt.ts)', () => {
  let fresh: CompiledPack;
  let contents: unknown[];
  beforeAll(async () => {
    fresh = await loadPack(QA);
    contents = sample();
  });

  it('answers every post as the pack compiled from scratch, with the same hash, even when the bytes were taken after evaluations', async () => {
    const before = prebuiltOf(fresh);
    const expected = await answers(fresh, contents);
    const after = prebuiltOf(fresh);
    const resolved = JSON.parse(fresh.resolvedJson);
    for (const bytes of [before, after]) {
      const revived = compilePack(resolved, { prebuilt: bytes, reuse: false });
      expect(revived === fresh).toBe(false); // not.toBe would format both packs' MBs
      expect(revived.hash).toBe(fresh.hash);
      expect(await answers(revived, contents)).toEqual(expected);
    }
    expect(contents.length).toBeGreaterThan(400);
  }, 120_000);

  it('builds no phrase set or model again: they come from the bytes', () => {
    const revived = compilePack(JSON.parse(fresh.resolvedJson), { prebuilt: prebuiltOf(fresh), reuse: false });
    const { phrases, models } = revived.internal.built;
    expect(phrases!.sets.size).toBeGreaterThan(0);
    expect(models!.models.size).toBeGreaterThan(0);
    expect(phrases!.sets === fresh.internal.built.phrases!.sets).toBe(false);
    expect([...phrases!.sets.values()].every((set) => set.vocab === phrases!.vocab)).toBe(true);
    expect(Object.getPrototypeOf(phrases!.vocab) === Vocabulary.prototype).toBe(true);
  });

  it('refuses bytes it did not write, and an instance of a class it cannot restore', () => {
    expect(() => readPrebuilt(new Uint8Array([1, 2, 3]))).toThrow(PrebuiltError);
    expect(() => readPrebuilt(prebuiltBytes('sha256:x', {}).subarray(0, 5))).toThrow(PrebuiltError);
    class Unknown {
      n = 1;
    }
    expect(() => prebuiltBytes('sha256:x', { phrases: { vocab: new Unknown() as never, sets: new Map() } })).toThrow(/Unknown: add its class/);
    expect(() => compilePack(JSON.parse(fresh.resolvedJson), { prebuilt: new Uint8Array(8), reuse: false })).toThrow(PrebuiltError);
  });

  it('restores only classes without private (#) members, which structured serialisation would drop unseen', () => {
    const sources = readdirSync(ENGINE, { recursive: true }).map(String).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(path.join(ENGINE, f), 'utf8'));
    for (const { name } of CLASSES) {
      const source = sources.find((text) => new RegExp(`^export class ${name}\\b`, 'm').test(text));
      expect(source, `no source declares class ${name}`).toBeDefined();
      const start = source!.search(new RegExp(`^export class ${name}\\b`, 'm'));
      const end = source!.indexOf('\n}', start);
      const body = source!.slice(start, end).replace(/\/\/.*|\/\*[^]*?\*\//g, '');
      expect(body.match(/(?<![\w'"`])#[A-Za-z_]\w*/g) ?? [], `class ${name}`).toEqual([]);
    }
    expect(CLASSES.length).toBeGreaterThan(10);
  });
});
