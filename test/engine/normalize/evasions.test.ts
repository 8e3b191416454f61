/**
 * The evasion passes (engine/normalize/evasions.ts): here a word written with no letter at all,
 * `@$$`, issue 12 round three.
 */
import { describe, expect, it } from 'vitest';
import { normalizeForMatching } from '../../../engine/normalize.js';
import { REVEAL } from '../../../engine/normalize/revelations.js';

describe('a word of @ and $ only', () => {
  it.each([
    ['get your @$$ here', 'get your as here'],
    ['(@$$), now', 'as now'],
    ['@$$!', 'as'],
  ])('%s → %s, as leetspeak', (input, text) => {
    const n = normalizeForMatching(input);
    expect(n.text).toBe(text);
    const a = n.text.indexOf('as');
    expect(n.flags[a]! & REVEAL.leetspeak).not.toBe(0);
    expect(input.slice(n.start[a], n.end[a + 1])).toBe('@$$');
  });

  it('reads no other all-symbol word: prices, emphasis, a grawlix, a lone @ or $', () => {
    for (const input of ['$$$', '@$', '@@', '#@$%', '$5 @ $6', '!!!', '$@$']) expect(normalizeForMatching(input).text).toBe('');
  });
});
