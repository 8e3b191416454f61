import { describe, expect, it } from 'vitest';
import { withoutThreadLabels } from '../../../engine/classifier/thread-labels.js';
import { featureNames, wordsOf } from '../../../engine/index.js';

describe('withoutThreadLabels', () => {
  it('blanks the labels the numbering check reads, at the start or end of each post of a thread', () => {
    const thread = ['1/3 Big news today', '(2/3) more of it', '[3/3] the end', 'closing words 4/', '5. last'];
    expect(withoutThreadLabels(thread)).toEqual(['    Big news today', '      more of it', '      the end', 'closing words   ', '   last']);
  });

  it('keeps offsets: every text keeps its length', () => {
    const thread = ['  12/40: twelve', 'a tail 13/40'];
    expect(withoutThreadLabels(thread).map((t) => t.length)).toEqual(thread.map((t) => t.length));
  });

  it("leaves a lone post, and what is no label, as written", () => {
    expect(withoutThreadLabels(['1/3 a lone post'])).toEqual(['1/3 a lone post']);
    const thread = ['Open 24/7cafe', '1/2cup of flour', 'pi is 3.14 today'];
    expect(withoutThreadLabels(thread)).toEqual(thread);
  });

  it('gives a numbered thread the features of the same thread unnumbered', () => {
    const plain = ['We spent the morning rewriting the guide', 'so new people find their way'];
    const numbered = plain.map((p, i) => `${i + 1}/${plain.length} ${p}`);
    expect(featureNames(wordsOf(withoutThreadLabels(numbered)))).toEqual(featureNames(wordsOf(plain)));
    expect(featureNames(wordsOf(numbered))).not.toEqual(featureNames(wordsOf(plain)));
  });
});
