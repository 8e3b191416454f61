// Tails (engine/tooling/tails.ts): label-neutral sentences appended to corpus items, for training
// a model that gives them no weight and for scoring a pack on posts that end with them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PackError } from '../../../engine/errors.js';
import type { CorpusItem } from '../../../engine/tooling/corpus.js';
import { loadTails, withOpeners, withTail, withTails } from '../../../engine/tooling/tails.js';

const item = (id: string, content: string | string[], positive = false): CorpusItem => ({ id, content, labels: { tos: positive }, file: 'f', line: 1 });

describe('withTail', () => {
  it('appends to the last post, after a space or on a line of its own', () => {
    expect(withTail(item('a', 'Big news today  '), 'Link in bio.', false).content).toBe('Big news today Link in bio.');
    expect(withTail(item('a', ['1/2 first', '2/2 last']), 'Follow for more!', true).content).toEqual(['1/2 first', '2/2 last\nFollow for more!']);
  });
});

describe('withTails', () => {
  const items = Array.from({ length: 400 }, (_, i) => item(`i${i}`, `post ${i}`, i % 2 === 0));
  const tails = ['Link in bio.', 'Follow for more!', 'DM us for details.'];

  it('gives a seeded share of the items, of either label alike, one tail each', () => {
    const out = withTails(items, tails, 0.5, 1);
    const tailed = out.filter((it, i) => it.content !== items[i]!.content);
    // 400 draws at 0.5: far from 0 and from 400; both labels get tails.
    expect(tailed.length).toBeGreaterThan(150);
    expect(tailed.length).toBeLessThan(250);
    expect(tailed.some((it) => it.labels.tos)).toBe(true);
    expect(tailed.some((it) => !it.labels.tos)).toBe(true);
    for (const it of tailed) expect(tails.some((t) => (it.content as string).endsWith(t))).toBe(true);
    // Every tail is drawn.
    for (const t of tails) expect(tailed.some((it) => (it.content as string).endsWith(t))).toBe(true);
  });

  it('is the same for the same seed, different for another, and every item at share 1', () => {
    expect(withTails(items, tails, 0.5, 1)).toEqual(withTails(items, tails, 0.5, 1));
    expect(withTails(items, tails, 0.5, 2)).not.toEqual(withTails(items, tails, 0.5, 1));
    expect(withTails(items, tails, 1, 1).every((it, i) => it.content !== items[i]!.content)).toBe(true);
    expect(withTails(items, tails, 0, 1)).toEqual(items);
  });
});

describe('withOpeners', () => {
  const items = Array.from({ length: 200 }, (_, i) => item(`i${i}`, i % 10 === 0 ? [`  1/2 post ${i}`, '2/2 end'] : `  post ${i}`));
  const openers = ['PSA:', 'Morning all!', 'ngl'];

  it('puts one opener before the first post of every item, the rest of a thread as it was', () => {
    const out = withOpeners(items, openers, 1);
    out.forEach((it, i) => {
      const first = Array.isArray(it.content) ? it.content[0]! : it.content;
      const was = Array.isArray(items[i]!.content) ? items[i]!.content[0]! : (items[i]!.content as string);
      expect(openers.some((o) => first === `${o} ${was.trimStart()}`)).toBe(true);
      if (Array.isArray(it.content)) expect(it.content.slice(1)).toEqual(['2/2 end']);
    });
    for (const o of openers) expect(out.some((it) => (Array.isArray(it.content) ? it.content[0]! : it.content).startsWith(o))).toBe(true);
  });

  it('is the same for the same seed and different for another', () => {
    expect(withOpeners(items, openers, 1)).toEqual(withOpeners(items, openers, 1));
    expect(withOpeners(items, openers, 2)).not.toEqual(withOpeners(items, openers, 1));
  });
});

describe('loadTails', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-tails-'));
  it('reads one tail per line, hashtag lines included, blank lines skipped', async () => {
    const file = path.join(dir, 'tails.txt');
    writeFileSync(file, 'Link in bio.\n\n  #smallbusiness #shoplocal  \nFollow for more!\n');
    expect(await loadTails(file)).toEqual(['Link in bio.', '#smallbusiness #shoplocal', 'Follow for more!']);
  });
  it('names the file when it is missing or empty', async () => {
    const empty = path.join(dir, 'empty.txt');
    writeFileSync(empty, '\n \n');
    await expect(loadTails(empty)).rejects.toThrow(PackError);
    const missing = await loadTails(path.join(dir, 'nope.txt')).catch((e: unknown) => e as PackError);
    expect(missing.issues[0]).toMatchObject({ file: path.join(dir, 'nope.txt'), message: expect.stringContaining('not found') });
  });
});
