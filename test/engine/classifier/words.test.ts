import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { featureHash, featureNames, featuresOf, readWords, wordsAt, wordsOf, type WordScratch } from '../../../engine/classifier/features.js';
import { listOf } from '../../../engine/classifier/word-list.js';
import { referenceWordsOf } from './words-reference.js';

// Links (one word `/`, which may start inside a word; `^` after a source marker), evasions, emoji, letters outside ASCII
// (NFKC that lengthens a word: ﬃ, ㎏), runs of one letter, digits, edge symbols, capitals.
const PIECES = ['RT ', 'Source: ', 'via ', '(src:', 'kill', 'You', 'KILLL', ' ', ' ', '. ', '\n', 'x.com/a/b', 'https://e.org/p', 'https://www.bbc.co.uk/n', 'https://irs.gov.refund.com/x', 'www.', 'bit.ly', 'k1ll', '@sam', '$cam', '#', "'", '’', '*', '!', '😀', 'é', 'ﬃ', '㎏', '𝐤𝐢𝐥𝐥', 'страх', '2024', '/', ',', 's.e.x', 'aaaa'];
const thread = fc.array(fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }).map((parts) => parts.join('')), { minLength: 1, maxLength: 4 });

describe('links', () => {
  it('reads a link the post cites as its source as `^`, any other as `/`, neither with letter pieces', () => {
    const text = 'Up 40% (Source: https://www.pewresearch.org/x), data via https://a.co/b; click https://x.co/y';
    expect(wordsOf([text])[0]!.map((w) => w.text)).toEqual(['up', '#', 'source', '^', 'data', 'via', '^', 'click', '/']);
    const names = featureNames(wordsOf(['source: https://a.co/b']));
    expect(names).toEqual(expect.arrayContaining(['w:^', 'b:source ^']));
    expect(names.filter((n) => n.startsWith('c:') && n.includes('^'))).toEqual([]);
  });

  it('reads a link to a news, reference or public host as `^` too, by its host and not its text', () => {
    const reference = ['https://www.bbc.co.uk/news/uk-1', 'https://www.cdc.gov/flu', 'https://en.wikipedia.org/wiki/X', 'https://www.ons.gov.uk/x', 'https://ox.ac.uk/a', 'https://doi.org/10.1/x'];
    const other = ['https://irs.gov.refund-claim.com/x', 'https://counciltax-refund-gov.uk/x', 'https://uidai.gov.in-ekyc-verify.xyz/a', 'https://bbc.com.win/x', 'https://docs.google.com/forms/x', 'https://youtu.be/x'];
    expect(wordsOf([`see ${reference.join(' and ')}`])[0]!.filter((w) => w.text === '^' || w.text === '/').map((w) => w.text)).toEqual(reference.map(() => '^'));
    expect(wordsOf([`see ${other.join(' and ')}`])[0]!.filter((w) => w.text === '^' || w.text === '/').map((w) => w.text)).toEqual(other.map(() => '/'));
  });
});

describe('replies', () => {
  it('does not read the one to three handles a reply starts with, and reads a longer list, or a handle elsewhere, as mentions', () => {
    const texts = (text: string) => wordsOf([text])[0]!.map((w) => w.text);
    expect(texts('@jo @sam_1, you are great')).toEqual(texts('you are great'));
    expect(texts('  @jo: see @sam')).toEqual(['see', '@']);
    expect(texts('@a @b @c @d check this')).toEqual(['@', '@', '@', '@', 'check', 'this']);
    expect(texts('🔪 @m tonight')).toEqual(['@', 'tonight']);
    expect(texts('RT @newsdesk_24: you are great')).toEqual(texts('you are great'));
    expect(texts('RT this @jo')).toEqual(['rt', 'this', '@']);
    expect(featureNames(wordsOf(['@TheRealMike_99 I will hurt you']))).toEqual(featureNames(wordsOf(['I will hurt you'])));
  });
});

describe('the flat word list', () => {
  it('holds the words, posts and spans the reading object by object gave, a kept list refilled as a fresh one', () => {
    const scratch: WordScratch = {};
    fc.assert(
      fc.property(thread, (texts) => {
        const expected = referenceWordsOf(texts);
        expect(wordsOf(texts)).toEqual(expected);
        const kept = readWords(texts, scratch);
        expect(kept.count).toBe(expected.flat().length);
        texts.forEach((_, p) => expect(kept.first[p + 1]! - kept.first[p]!).toBe(expected[p]!.length));
      }),
      { numRuns: 400 },
    );
  });

  it('gives the feature occurrences the words as objects give and their names spell, in a kept list too', () => {
    const scratch: WordScratch = {};
    const features = {};
    fc.assert(
      fc.property(thread, (texts) => {
        const expected = featuresOf(listOf(referenceWordsOf(texts)));
        const hashes = Array.from(expected.hash.subarray(0, expected.length));
        const reads = Array.from({ length: expected.length }, (_, at) => wordsAt(expected, at));
        const list = featuresOf(readWords(texts, scratch), features);
        expect(Array.from(list.hash.subarray(0, list.length))).toEqual(hashes);
        // Each feature as the names a model is trained on spell it, pairs inside a post.
        expect([...new Set(hashes)]).toEqual(featureNames(referenceWordsOf(texts)).map(featureHash));
        expect(Array.from({ length: list.length }, (_, at) => wordsAt(list, at))).toEqual(reads);
      }),
      { numRuns: 400 },
    );
  });
});
