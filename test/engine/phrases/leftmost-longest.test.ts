/**
 * `byPosition` sorts a phrase set's matches by insertion when they are few: it must give the
 * order of `sort` with the comparator it replaces, equal matches kept in their order.
 */
import { describe, expect, it } from 'vitest';
import { byPosition } from '../../../engine/phrases/leftmost-longest.js';
// mulberry32, seeded so that a failure can be replayed.
import { rng as random } from '../../bench/lib/inputs.js';

describe('byPosition', () => {
  it('orders as sort with (a, b) => a.from - b.from || b.to - a.to, stable, few matches or many', () => {
    const rnd = random(5);
    for (let run = 0; run < 500; run++) {
      // Few distinct spans, so that equal ones are common; up to 40 matches, past the insertion bound.
      const matches = Array.from({ length: Math.floor(rnd() * 41) }, (_, id) => {
        const from = Math.floor(rnd() * 6);
        return { id, from, to: from + 1 + Math.floor(rnd() * 3) };
      });
      const expected = [...matches].sort((a, b) => a.from - b.from || b.to - a.to).map((m) => m.id);
      byPosition(matches);
      expect(matches.map((m) => m.id)).toEqual(expected);
    }
  });
});
