/**
 * `find` with `only` (the patterns of some rules, `patternsOf`) gives exactly the matches and
 * suppressed matches of those rules that `find` of every rule gives, in the same order: for every
 * phrase set of the default pack, on every held-out post, for each signal alone and for the
 * signal lists of the pack's checks; and every rule's found again after those is the same.
 */
import { describe, expect, it } from 'vitest';
import { loadPack } from '../../../engine/index.js';
import { normalizeForMatching } from '../../../engine/normalize.js';
import { PhraseSet, type PhraseContext, type PhraseMatch } from '../../../engine/phrases/phrase-set.js';
import { tokenize } from '../../../engine/phrases/tokens.js';
import { Vocabulary } from '../../../engine/phrases/vocabulary.js';
import { heldOutTexts } from '../detectors/pack-patterns.js';

const pack = await loadPack('rules/qa');
const { lexicons, phrases = {}, checks } = pack.resolved;
const vocab = new Vocabulary();
const lexiconMap = new Map(Object.entries(lexicons).map(([id, l]) => [id, { id, ...l }]));
const sets = Object.entries(phrases).map(([id, spec]) => ({ id, set: new PhraseSet(spec, lexiconMap, vocab) }));
const checkSignals = checks.flatMap((c) => (c.detector?.type === 'phrase' && c.detector.signals ? [c.detector.signals] : []));
// Held-out posts, and the benchmark's: every fifth, to keep the run short (~1,000 posts).
const texts = heldOutTexts().filter((_, i) => i % 5 === 0);

function contextOf(text: string): PhraseContext {
  const normalized = normalizeForMatching(text);
  const tokens = tokenize(normalized, text);
  const ids = vocab.idsOf(normalized, tokens);
  return { tokens, ids, text, thread: () => [ids] };
}

const filtered = <T extends PhraseMatch>(list: readonly T[], signals: ReadonlySet<string>): T[] => list.filter((m) => signals.has(m.signal));

describe('PhraseSet.find with only', () => {
  it.each(sets.map(({ id, set }) => [id, set] as const))('%s: the same matches as every rule\'s, filtered', (_, set) => {
    const lists = [...set.signals.map((s) => [s]), ...checkSignals.filter((list) => list.every((s) => set.signals.includes(s)))];
    const plans = lists.map((list) => ({ signals: new Set(list), only: set.patternsOf(new Set(list)) }));
    let compared = 0;
    for (const text of texts) {
      const ctx = contextOf(text);
      const every = set.find(ctx);
      for (const { signals, only } of plans) {
        const some = set.find(ctx, only);
        expect(some.matches, `${[...signals]} in ${text}`).toEqual(filtered(every.matches, signals));
        expect(some.suppressed, `${[...signals]} in ${text}`).toEqual(filtered(every.suppressed, signals));
        compared += some.matches.length + some.suppressed.length;
      }
      // Found again on the same words (a classifier's guards after a filtered find): the same.
      expect(set.find(ctx), text).toEqual(every);
    }
    // The posts do hold matches of these rules (the property is not about empty lists).
    expect(compared).toBeGreaterThan(0);
  });
});
