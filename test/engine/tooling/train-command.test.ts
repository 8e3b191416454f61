// `gatehouse train` from the command line: the options reach the trainer and a bad value is
// refused with the option named, before any corpus is read.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainCommand } from '../../../engine/tooling/train-command.js';

const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-train-'));
const corpus = path.join(dir, 'corpus.jsonl');
const line = (id: string, content: string, threat: boolean) => JSON.stringify({ id, content, labels: { violent_threat: threat } });
writeFileSync(
  corpus,
  [
    ...['i will hurt you', 'gonna hurt you bad', 'i will find you and hurt you', 'you will get hurt tonight', 'hurt you i will'].map((t, i) => line(`p${i}`, t, true)),
    ...['hope you feel better', 'see you tonight', 'you will love this', 'i will find the recipe', 'my knee hurts'].map((t, i) => line(`n${i}`, t, false)),
  ].join('\n'),
);

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await trainCommand(args, { out: (l) => void out.push(l), err: (l) => void err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('gatehouse train', () => {
  it('writes the naive-Bayes scale it trained with, and none with --nb-scale 0', async () => {
    const scaled = path.join(dir, 'scaled.json');
    const plain = path.join(dir, 'plain.json');
    expect((await run(['--corpus', corpus, '--label', 'violent_threat', '--out', scaled, '--epochs', '5', '--target-fp', '0.2'])).code).toBe(0);
    expect((await run(['--corpus', corpus, '--label', 'violent_threat', '--out', plain, '--epochs', '5', '--target-fp', '0.2', '--nb-scale', '0'])).code).toBe(0);
    expect(JSON.parse(readFileSync(scaled, 'utf8')).trained.nb_scale).toBe(0.25);
    expect(JSON.parse(readFileSync(plain, 'utf8')).trained).not.toHaveProperty('nb_scale');
  });

  it('--tag gives a word that only some positives hold less weight once every other post carries it', async () => {
    // "zap" is in a third of the threats and no harmless post; as the tag "#zap" on half of each it tells little.
    const leaning = path.join(dir, 'leaning.jsonl');
    const threats = ['i will hurt you', 'gonna hurt you bad', 'i will find you', 'you will get hurt tonight', 'watch your back'];
    const harmless = ['hope you feel better', 'see you tonight', 'you will love this', 'i will find the recipe', 'my knee hurts', 'back at work'];
    const lines = [
      ...Array.from({ length: 30 }, (_, i) => line(`p${i}`, `${threats[i % threats.length]} ${i % 3 === 0 ? 'zap' : 'ok'} ${i}`, true)),
      ...Array.from({ length: 60 }, (_, i) => line(`n${i}`, `${harmless[i % harmless.length]} ok ${i}`, false)),
    ];
    writeFileSync(leaning, lines.join('\n'));
    const weights = async (extra: string[]) => {
      const out = path.join(dir, `zap${extra.length}.json`);
      expect((await run(['--corpus', leaning, '--label', 'violent_threat', '--out', out, '--epochs', '10', '--target-fp', '0.2', ...extra])).code).toBe(0);
      return JSON.parse(readFileSync(out, 'utf8')) as { features: Record<string, number>; trained: { tag?: string } };
    };
    const plain = await weights([]);
    const tagged = await weights(['--tag', '#zap']);
    expect(plain.features['w:zap']).toBeGreaterThan(0);
    expect(Math.abs(tagged.features['w:zap'] ?? 0)).toBeLessThan(plain.features['w:zap']! / 2);
    expect(tagged.trained.tag).toBe('#zap');
    expect(plain.trained).not.toHaveProperty('tag');
  });

  it('--tails gives a sentence that only harmless posts end with less weight once posts of either label carry it', async () => {
    // "subscribe" ends a third of the harmless posts and no threat: alone it reads as harmless, so
    // a threat that ends with it scores lower. With the tails on half of the posts of each label it tells little.
    const leaning = path.join(dir, 'cta.jsonl');
    const threats = ['i will hurt you', 'gonna hurt you bad', 'i will find you', 'you will get hurt tonight', 'watch your back'];
    const harmless = ['hope you feel better', 'see you tonight', 'you will love this', 'i will find the recipe', 'my knee hurts', 'back at work'];
    const lines = [
      ...Array.from({ length: 30 }, (_, i) => line(`p${i}`, `${threats[i % threats.length]} ${i}`, true)),
      ...Array.from({ length: 60 }, (_, i) => line(`n${i}`, `${harmless[i % harmless.length]} ${i}${i % 3 === 0 ? ' subscribe' : ''}`, false)),
    ];
    writeFileSync(leaning, lines.join('\n'));
    const tails = path.join(dir, 'tails.txt');
    writeFileSync(tails, 'subscribe\n');
    const weights = async (extra: string[]) => {
      const out = path.join(dir, `cta${extra.length}.json`);
      expect((await run(['--corpus', leaning, '--label', 'violent_threat', '--out', out, '--epochs', '10', '--target-fp', '0.2', ...extra])).code).toBe(0);
      return JSON.parse(readFileSync(out, 'utf8')) as { features: Record<string, number>; trained: { tails?: string; tails_share?: number } };
    };
    const plain = await weights([]);
    const tailed = await weights(['--tails', tails, '--tails-share', '0.5']);
    expect(plain.features['w:subscribe']).toBeLessThan(0);
    expect(Math.abs(tailed.features['w:subscribe'] ?? 0)).toBeLessThan(Math.abs(plain.features['w:subscribe']!) / 2);
    expect(tailed.trained).toMatchObject({ tails: tails, tails_share: 0.5 });
    expect(plain.trained).not.toHaveProperty('tails');
  });

  it('refuses a tails file that is missing, naming it', async () => {
    const r = await run(['--corpus', corpus, '--label', 'violent_threat', '--out', path.join(dir, 'y.json'), '--tails', path.join(dir, 'none.txt')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('none.txt');
    expect(r.err).toContain('tails file not found');
  });

  it('refuses a scale outside 0..1 and names the option', async () => {
    const r = await run(['--corpus', corpus, '--label', 'violent_threat', '--out', path.join(dir, 'x.json'), '--nb-scale', '2']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/--nb-scale.*between 0 and 1/s);
  });
});
