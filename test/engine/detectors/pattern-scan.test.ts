import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { flagBits } from '../../../engine/detectors/pattern.js';
import { loosened } from '../../../engine/detectors/pattern-scan.js';
import { defaultPackPatterns, heldOutTexts } from './pack-patterns.js';

describe('loosened: the form a pattern set scans with', () => {
  it.each([
    ['a wide gap becomes unbounded, lazy kept', 'a.{0,120}?b', 'a.*?b'],
    ['a wide count keeps its minimum', 'x[^.!?\\n]{2,60}y', 'x[^.!?\\n]{2,}y'],
    ['narrow and exact counts stay', 'y{3}z{1,5}(ab){0,8}c', 'y{3}z{1,5}(ab){0,8}c'],
    ['a group counts too', '(ab){0,9}c', '(ab)*c'],
    ['positions count code points, not UTF-16 units', '😀.{0,80}?🔞.{0,20}x', '😀.*?🔞.*x'],
    ['a brace that is no count is left alone', 'a{,30}\\{0,50}', 'a{,30}\\{0,50}'],
    ['a count on a class holding a brace', '[{]{0,50}', '[{]*'],
    ['unreadable syntax is kept as written', '\\Qa{0,50}\\E', '\\Qa{0,50}\\E'],
  ])('%s: %s', (_name, source, expected) => {
    expect(loosened(source)).toBe(expected);
  });

  it('matches wherever the pattern does, for every default-pack pattern on the held-out posts', () => {
    const patterns = defaultPackPatterns().map((p) => ({ ...p, loose: RE2JS.compile(loosened(p.source), flagBits(p.flags)) }));
    expect(patterns.filter((p) => loosened(p.source) !== p.source).length).toBeGreaterThan(10);
    let matched = 0;
    const missed: string[] = [];
    for (const text of heldOutTexts()) {
      for (const { source, re, loose } of patterns) {
        if (!re.test(text)) continue;
        matched++;
        if (!loose.test(text)) missed.push(source.slice(0, 60));
      }
    }
    expect(missed).toEqual([]);
    expect(matched).toBeGreaterThan(500);
  });
});
