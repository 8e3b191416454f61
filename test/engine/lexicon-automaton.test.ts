import AhoCorasick from 'modern-ahocorasick';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyScanner } from '../../engine/lexicon-automaton.js';

type Match = [number, number, string];

function scanned(keys: string[], text: string): Match[] {
  const out: Match[] = [];
  keyScanner(keys.map((k) => [k, k] as const)).forEachMatch(text, (start, end, key) => out.push([start, end, key]));
  return out;
}

/** What the library reports, with non-ASCII masked as the matcher used to (same length, no key char). */
function reference(keys: string[], text: string): Match[] {
  const ac = new AhoCorasick(keys.map((k) => ({ pattern: k, data: k })));
  return [...ac.iterate(text.replace(/[^\x00-\x7f]/g, '\x01'))].map((m) => [m.start, m.end, m.data!]);
}

describe('keyScanner', () => {
  it('reports every occurrence, by end, longest key first', () => {
    expect(scanned(['he', 'she', 'his', 'hers', 'e'], 'ushers')).toEqual([
      [1, 4, 'she'],
      [2, 4, 'he'],
      [3, 4, 'e'],
      [2, 6, 'hers'],
    ]);
  });

  it('matches the grapheme library on ASCII keys, non-ASCII text included', () => {
    const key = fc.stringMatching(/^[ab c]{1,5}$/);
    const text = fc.array(fc.constantFrom('a', 'b', 'c', ' ', 'é', 'д'), { maxLength: 40 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(fc.uniqueArray(key, { minLength: 1, maxLength: 12 }), text, (keys, t) => {
        expect(scanned(keys, t)).toEqual(reference(keys, t));
      }),
      { numRuns: 500 },
    );
  });

  it('builds from 300,000 keys (more states than 16 bits, no argument-list limits)', () => {
    const keys = Array.from({ length: 300_000 }, (_, i) => `k${i.toString(36)}q`);
    const scanner = keyScanner(keys.map((k) => [k, k] as const));
    const found: string[] = [];
    scanner.forEachMatch('a k1q and kzzzq', (_start, _end, key) => found.push(key));
    expect(found).toEqual(['k1q', 'kzzzq']);
  });

  it('keeps grapheme matching for non-ASCII keys', () => {
    expect(scanned(['дурак'], 'ты дурак')).toEqual([[3, 8, 'дурак']]);
  });
});
