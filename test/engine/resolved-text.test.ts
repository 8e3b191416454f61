import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { compilePack, evaluate, loadPack, type ResolvedPack } from '../../engine/index.js';

// A real full GC, so that "the compiled pack keeps none of it" is observed rather than assumed.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

const POST = { content: 'Want to get rich quick? Guaranteed returns, double your money today! #AI', metadata: { required_tags: ['#AI'] } };

describe('a compiled pack and the document it was compiled from', () => {
  it('keeps none of the document (model weights, lexicons, phrase sets) once compiled, and still decides the same', async () => {
    const loaded = await loadPack('rules/qa');
    const text = JSON.stringify(loaded.resolved);
    const expected = await evaluate(loaded, POST);

    let doc: ResolvedPack | undefined = JSON.parse(text) as ResolvedPack;
    const held = [
      doc,
      ...Object.values(doc.models ?? {}),
      ...Object.values(doc.lexicons),
      ...Object.values(doc.phrases ?? {}),
    ].map((part) => new WeakRef(part as object));
    expect(held.length).toBeGreaterThan(10);
    const pack = compilePack(doc, { reuse: false });
    doc = undefined;
    await tick();
    gc();

    expect(held.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    expect(await evaluate(pack, POST)).toEqual(expected);
    expect(JSON.stringify(pack.resolved)).toBe(text);
  });

  it('reads `resolved` as one object while someone holds it, and does not hold it itself', async () => {
    const pack = await loadPack('rules/qa');
    const text = JSON.stringify(pack.resolved);
    const read = () => {
      const first = pack.resolved;
      expect(pack.resolved).toBe(first);
      return new WeakRef(first);
    };
    const ref = read();
    await tick();
    gc();
    expect(ref.deref()).toBeUndefined();
    expect(JSON.stringify(pack.resolved)).toBe(text);
    // The text itself, for worker threads; not spread or logged along with the pack.
    expect(pack.resolvedJson).toBe(text);
    expect(Object.keys(pack)).not.toContain('resolvedJson');
  });
});
