import { describe, expect, it } from 'vitest';
import { compilePack, evaluate, type ResolvedPack } from '../../../engine/index.js';

// `osti` is what the digits 0571 spell as leetspeak (0 o, 5 s, 7 t, 1 i), as in a news link's id.
const pack = compilePack({
  id: 'links',
  version: '1.0.0',
  description: '',
  defaults: { platform: 'x', thread_split: 'none' },
  lexicons: { swears: { terms: ['shit', 'osti', 'ass', 'tf'], allow: [] } },
  checks: [
    {
      id: 'profanity',
      code: 'PROFANITY',
      severity: 'block',
      category: 'profanity',
      detector: { type: 'lexicon', lexicons: ['swears'] },
      message: '{{evidence}}',
      suggestedFix: 'Drop it.',
      required_edit: { action: 'replace', replacement: 'mask' },
    },
  ],
} as unknown as ResolvedPack);

const found = async (content: string) => (await evaluate(pack, { content })).violations.map((v) => content.slice(v.span![0], v.span![1]));

describe('the lexicon detector in links', () => {
  it('does not read the digits of a link as leetspeak', async () => {
    expect(await found('Source: https://www.bbc.com/news/science-environment-68820571')).toEqual([]);
    expect(await found('more at www.example.org/sh1t-list today')).toEqual([]);
    expect(await found('see x.com/someone/status/1768820571 and t.co/0571ab')).toEqual([]);
  });

  it('does not read a piece of an id, or the @ of a handle, as leetspeak', async () => {
    expect(await found('Fixed in commit de1b67f, thanks @s56e4e and @ss_photography')).toEqual([]);
    expect(await found('kiss my @ss, you 5h1t')).toEqual(['@ss', '5h1t']);
  });

  it('still reads leetspeak outside links, and a term spelled out inside one', async () => {
    expect(await found('you are 05t1, and a 5h1t')).toEqual(['05t1', '5h1t']);
    expect(await found('see https://example.com/shit-list and 68820571')).toEqual(['shit']);
    expect(await found('68820571 is sh1t: https://bbc.com/news')).toEqual(['sh1t']);
  });
});
