import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { distinctFeatures } from '../../../engine/classifier/distinct.js';
import { featureHash, featureNames, featuresOf, readWords, wordsAt, wordsOf } from '../../../engine/classifier/features.js';
import { TextModel } from '../../../engine/classifier/model.js';
import { compilePack, evaluate, type ResolvedPack } from '../../../engine/index.js';
import type { CorpusItem } from '../../../engine/tooling/corpus.js';
import { trainModel } from '../../../engine/tooling/train.js';
import { firstEndingAfter } from '../../../engine/classifier/occurrences.js';

describe('text model features', () => {
  it('reads evasions as the letters they stand for, with spans in the caller\'s text', () => {
    const [words] = wordsOf(['I will K1LLL @sam at 9 𝐭𝐨𝐧𝐢𝐠𝐡𝐭!']);
    expect(words!.map((w) => w.text)).toEqual(['i', 'will', 'kill', '@', 'at', '#', 'tonight']);
    expect(words![2]!.span).toEqual([7, 12]);
  });

  it('reads a link as one word `/` spanning it, so the words of its path weigh nothing', () => {
    const text = 'read it: https://example.com/goes/on/until/the/end. then bit.ly/x!';
    const [words] = wordsOf([text]);
    expect(words!.map((w) => w.text)).toEqual(['read', 'it', '/', 'then', '/']);
    expect(text.slice(...words![2]!.span)).toBe('https://example.com/goes/on/until/the/end');
  });

  it('hashes step by step exactly what the names spell, so the model file can name its features', () => {
    const words = wordsOf(['kill you now', 'again']);
    const names = featureNames(words);
    expect(names).toEqual(expect.arrayContaining(['w:kill', 'b:kill you', 't:kill you now', 's:kill now', 'c:<ki', 'c:kill>']));
    expect(names).not.toContain('b:now again'); // pairs stay inside a post
    const list = featuresOf(words);
    expect([...new Set(list.hash.subarray(0, list.length))].sort()).toEqual([...new Set(names.map(featureHash))].sort());
  });

  it('fills a kept list as it would a fresh one, post after post, its count of different features counted anew', () => {
    const scratch = {};
    for (const text of ['kill you now', 'a much longer post than the first, so that the kept list grows', 'kill', 'kill you now']) {
      const words = wordsOf([text]);
      const fresh = featuresOf(words);
      const kept = featuresOf(words, scratch);
      expect(distinctFeatures(kept)).toBe(distinctFeatures(fresh));
      expect(kept.hash.subarray(0, kept.length)).toEqual(fresh.hash.subarray(0, fresh.length));
      for (let at = 0; at < kept.length; at++) expect(wordsAt(kept, at)).toEqual(wordsAt(fresh, at));
    }
  });

  it("knows the words each occurrence reads from its place in its word's block", () => {
    const words = wordsOf(['kill you now', 'ok', 'i will']);
    const list = featuresOf(words);
    const read = (at: number) => {
      const { post, first, last } = wordsAt(list, at);
      return words[post]!.slice(first, last + 1).map((w) => w.text).join(' ');
    };
    const names = Array.from({ length: list.length }, (_, at) => read(at));
    // kill: its word, pair, triple, skipped pair, then its pieces; you: word, pair, pieces; now: word, pieces.
    expect(names.slice(0, 4)).toEqual(['kill', 'kill you', 'kill you now', 'kill you now']);
    expect(new Set(names)).toEqual(new Set(['kill', 'kill you', 'kill you now', 'you', 'you now', 'now', 'ok', 'i', 'i will', 'will']));
    expect(read(list.length - 1)).toBe('will');
  });
  it('gives a post\'s words in text order, starts and ends both ascending, so a match\'s words are found by binary search', () => {
    // Links (one word `/`, which may start inside a word), evasions, emoji, unicode letters, digits.
    const pieces = ['kill', 'you', ' ', ' ', '. ', 'x.com/a/b', 'https://e.org/p', 'www.', 'bit.ly', 'k1ll', '@sam', '#', "'", '😀', 'é', '2024', '/', ',', 's.e.x', '\n'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        const [words] = wordsOf([text]);
        const list = readWords([text]);
        for (let i = 1; i < words!.length; i++) {
          expect(words![i]!.span[0]).toBeGreaterThan(words![i - 1]!.span[0]);
          expect(words![i]!.span[1]).toBeGreaterThan(words![i - 1]!.span[1]);
        }
        for (let from = 0; from <= text.length; from++) {
          const scanned = words!.findIndex((w) => w.span[1] > from);
          expect(firstEndingAfter(list, 0, from)).toBe(scanned < 0 ? words!.length : scanned);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('normalised models', () => {
  it('count the different features a text has as the names a model is trained on do, repeats and threads included', () => {
    for (const posts of [['kill kill kill you'], ['i will hurt you', 'i will hurt you tonight'], ['a'], ['K1LL u @sam https://x.co/a 2024 🔪']]) {
      const words = wordsOf(posts);
      expect(distinctFeatures(featuresOf(words))).toBe(featureNames(words).length);
    }
  });

  it('scale the weights of a text with more than `normalize` different features by sqrt(normalize / n), and leave shorter texts and unnormalised models as they were', () => {
    const spec = { label: 'x', bias: -1, threshold: 0, features: { 'w:hurt': 2, 'b:hurt you': 1 } };
    const plain = new TextModel(spec);
    const scaled = new TextModel({ ...spec, normalize: 32 });
    const short = wordsOf(['hurt you']);
    const long = wordsOf(['hurt you and then hurt them a lot more than anyone ever hurt anybody']);
    const n = featureNames(long).length;
    expect(featureNames(short).length).toBeLessThanOrEqual(32);
    expect(n).toBeGreaterThan(32);
    expect(plain.score(short).score).toBeCloseTo(2);
    expect(plain.score(long).score).toBeCloseTo(2);
    expect(scaled.score(short).score).toBeCloseTo(2);
    expect(scaled.score(long).score).toBeCloseTo(-1 + 3 * Math.sqrt(32 / n));
    expect(scaled.score(long).reasons.map((r) => r.weight)).toEqual(plain.score(long).reasons.map((r) => r.weight * Math.sqrt(32 / n)));
  });
});

describe('TextModel.strongest', () => {
  const model = new TextModel({ label: 'x', bias: -1, threshold: 0, features: { 'w:a': 2, 'w:b': 3, 'w:c': 2, 'c:<a>': 5, 'w:d': -4, 'w:e': 1 } });
  const present = model.table.present(featuresOf(wordsOf(['e a d c b'])));

  it('is the head of scorePresent\'s reasons, ties in order of presence', () => {
    const reasons = model.scorePresent(present).reasons;
    for (const count of [1, 2, 3, 10]) expect(model.strongest(present, count)).toEqual(reasons.slice(0, count));
    expect(model.strongest(present, 3).map((r) => r.name)).toEqual(['c:<a>', 'w:b', 'w:a']);
  });

  it('keeps only the features `keep` accepts', () => {
    const words = model.scorePresent(present).reasons.filter((r) => !r.name.startsWith('c:'));
    expect(model.strongest(present, 3, (name) => !name.startsWith('c:'))).toEqual(words.slice(0, 3));
  });
});

const item = (id: string, content: string, positive: boolean): CorpusItem => ({ id, content, labels: { threat: positive }, file: 'mem', line: 1 });
const corpus = [
  ...['i will hurt you', 'gonna hurt you bad', 'i will find you and hurt you', 'you will get hurt tonight', 'hurt you i will'].map((t, i) => item(`p${i}`, t, true)),
  ...['hope you feel better', 'see you tonight', 'you will love this', 'i will find the recipe', 'my knee hurts'].map((t, i) => item(`n${i}`, t, false)),
];

describe('gatehouse train', () => {
  it('gives the same file for the same corpus and seed, and a model that separates it', () => {
    const a = trainModel(corpus, { label: 'threat', epochs: 20, targetFp: 0.2 });
    expect(trainModel(corpus, { label: 'threat', epochs: 20, targetFp: 0.2 })).toEqual(a);
    expect(a.trained).toMatchObject({ items: 10, positives: 5, seed: 1 });
    const model = new TextModel(a);
    expect(model.score(wordsOf(['i will hurt you'])).score).toBeGreaterThan(model.score(wordsOf(['you will love this'])).score);
  });

  it('keeps only the heaviest features, fitted again, so the pruned model still separates the corpus', () => {
    const full = trainModel(corpus, { label: 'threat', epochs: 20, targetFp: 0.2 });
    const pruned = trainModel(corpus, { label: 'threat', epochs: 20, targetFp: 0.2, maxFeatures: 6 });
    expect(Object.keys(pruned.features)).toHaveLength(6);
    expect(Object.keys(full.features).length).toBeGreaterThan(6);
    const model = new TextModel(pruned);
    const scores = (texts: string[]) => texts.map((t) => model.score(wordsOf([t])).score);
    const positives = scores(['i will hurt you', 'gonna hurt you bad', 'hurt you i will']);
    const negatives = scores(['hope you feel better', 'see you tonight', 'my knee hurts']);
    expect(Math.min(...positives)).toBeGreaterThan(Math.max(...negatives));
  });

  it('normalises by default and writes the constant into the file; 0 trains the plain sum', () => {
    expect(trainModel(corpus, { label: 'threat', epochs: 5 }).normalize).toBe(256);
    expect(trainModel(corpus, { label: 'threat', epochs: 5, normalize: 16 }).normalize).toBe(16);
    expect(trainModel(corpus, { label: 'threat', epochs: 5, normalize: 0 })).not.toHaveProperty('normalize');
  });

  it('reads the posts without their quoted speech with skipQuoted, and says so in the file', () => {
    const quoting = [...corpus, item('q0', 'he texted me "i will hurt you" and i reported him', false), item('q1', 'screenshot of "gonna hurt you bad" from my dms, blocked', false)];
    const plain = trainModel(quoting, { label: 'threat', epochs: 20, targetFp: 0.2 });
    const skipping = trainModel(quoting, { label: 'threat', epochs: 20, targetFp: 0.2, skipQuoted: true });
    expect(plain).not.toHaveProperty('skip_quoted');
    expect(skipping.skip_quoted).toBe(true);
    // Read as written, the quoting negatives pull the threat's own words down; read without the
    // quotes, they do not, and `hurt you` weighs more.
    expect(skipping.features['b:hurt you']!).toBeGreaterThan(plain.features['b:hurt you']!);
  });

  it('scales each feature by its naive-Bayes log-count ratio by default (recorded in the file); nbScale 0 is plain logistic regression', () => {
    const nb = trainModel(corpus, { label: 'threat', epochs: 20, targetFp: 0.2 });
    const plain = trainModel(corpus, { label: 'threat', epochs: 20, targetFp: 0.2, nbScale: 0 });
    expect(nb.trained).toMatchObject({ nb_scale: 0.25 });
    expect(plain.trained).not.toHaveProperty('nb_scale');
    // `w:hurt` is in every positive and no negative, `w:you` on both sides: the ratio puts the
    // one-sided word further ahead of the shared one than the plain fit does.
    const lead = (m: typeof nb) => m.features['w:hurt']! - m.features['w:you']!;
    expect(lead(nb)).toBeGreaterThan(lead(plain));
  });

  it('refuses a corpus with one side only', () => {
    expect(() => trainModel(corpus.slice(0, 5), { label: 'threat' })).toThrow(/both positive and negative/);
  });
});

describe('the classifier detector', () => {
  const model = { label: 'threat', bias: -1, threshold: 1, features: { 'b:hurt you': 2.5, 'w:kill': 1.5, 'b:kill you': 1, 'c:<yo': 0.1 } };
  const base = { severity: 'block' as const, category: 'harmful' as const, suggestedFix: 'fix', required_edit: { action: 'review' as const } };
  /** A pack of these parts around an empty shell (no lexicons unless given). */
  const packOf = (parts: Record<string, unknown>) =>
    compilePack({ id: 't', version: '1.0.0', description: '', defaults: { platform: 'x', thread_split: 'none' }, lexicons: {}, ...parts } as unknown as ResolvedPack);
  /** A pack with one guarded phrase rule and the model check, its detector extended by `extra`. */
  const packWith = (extra: Record<string, unknown> = {}) =>
    packOf({
      phrases: { threats: { guards: { idiom: { match: 'with kindness', within: 'sentence' } }, rules: [{ id: 'kill-you', match: 'kill you', unless: ['idiom'] }] } },
      models: { threat: model },
      checks: [{ ...base, id: 'm', code: 'VIOLENT_THREAT', message: 'model {{model}} scored {{score}}: {{reasons}}', detector: { type: 'classifier', model: 'threat', unless_guarded: ['threats'], ...extra } }],
    });
  const pack = packWith();

  it('fires at its threshold, names the words that weighed most, and points at them', async () => {
    const d = await evaluate(pack, { content: 'ok i will hurt you later' });
    expect(d.violations).toHaveLength(1);
    expect(d.violations[0]).toMatchObject({ code: 'VIOLENT_THREAT', message: 'model threat scored 1.6: hurt you' });
    expect((await evaluate(pack, { content: 'you are lovely' })).violations).toEqual([]);
  });

  it("does not read a thread's labels, which the numbering check asks for, as the author's words", async () => {
    // A number leans towards spam; here it is all a post needs to fire.
    const numbers = packOf({
      models: { spam: { label: 'tos', bias: -1, threshold: 1, features: { 'w:#': 3 } } },
      checks: [{ ...base, id: 'm', code: 'TOS_LIKELY_VIOLATION', message: '{{reasons}}', detector: { type: 'classifier', model: 'spam' } }],
    });
    const fired = async (content: string | string[]) => (await evaluate(numbers, { content })).violations.length;
    expect(await fired(['1/2 our trip was lovely', '(2/2) back home now'])).toBe(0);
    expect(await fired(['our trip was lovely 1/2', 'back home now 2/2'])).toBe(0);
    // A number of the author's own still counts, in a thread or a lone post.
    expect(await fired(['1/2 we stayed 3 nights', '2/2 back home now'])).toBe(1);
    expect(await fired('1/2 of the cake')).toBe(1);
  });

  it('weighs a link the post cites as its source apart from a link that lures', async () => {
    const links = packOf({
      models: { spam: { label: 'tos', bias: -1, threshold: 1, features: { 'w:/': 3 } } },
      checks: [{ ...base, id: 'm', code: 'TOS_LIKELY_VIOLATION', message: '{{reasons}}', detector: { type: 'classifier', model: 'spam' } }],
    });
    const fired = async (content: string) => (await evaluate(links, { content })).violations.length;
    expect(await fired('Claim your prize: https://prize.example/claim')).toBe(1);
    expect(await fired('Turnout rose 12% (source: https://data.example.org/turnout)')).toBe(0);
    expect(await fired('Turnout rose 12%, via https://data.example.org/turnout')).toBe(0);
  });

  it('names a pair with a word between as `first … third`', async () => {
    const skipping = packOf({
      models: { threat: { label: 'threat', bias: -1, threshold: 1, features: { 's:will you': 2.5 } } },
      checks: [{ ...base, id: 'm', code: 'VIOLENT_THREAT', message: '{{reasons}}', detector: { type: 'classifier', model: 'threat' } }],
    });
    const d = await evaluate(skipping, { content: 'i will end you' });
    expect(d.violations[0]).toMatchObject({ message: 'will … you' });
    expect((await evaluate(skipping, { content: 'will you end' })).violations).toEqual([]);
  });

  it('does not count the words of a match that a guard of the named phrase sets suppressed', async () => {
    expect((await evaluate(pack, { content: 'i will kill you soon' })).violations).toHaveLength(1);
    const explained = await evaluate(pack, { content: 'i will kill you with kindness' }, { explain: true });
    expect(explained.violations).toEqual([]);
    expect(explained.trace).toContainEqual(expect.objectContaining({ check: 'm', outcome: 'suppressed', guard: 'idiom' }));
    // The rest of the thread still counts: a guard elsewhere does not silence the model.
    const rest = await evaluate(pack, { content: 'i will kill you with kindness and hurt you' });
    expect(rest.violations).toMatchObject([{ code: 'VIOLENT_THREAT', evidence: expect.any(String), message: 'model threat scored 1.6: hurt you' }]);
  });

  it('lets the guards overrule it only below guards_below (its score with every word counted)', async () => {
    const strict = packWith({ guards_below: 1.5 });
    // Every word counted: -1 + 1.5 (kill) + 1 (kill you) + 0.1 (<yo) = 1.6, at or above 1.5: the guard does not overrule.
    expect((await evaluate(strict, { content: 'i will kill you with kindness' })).violations).toMatchObject([{ message: 'model threat scored 1.6: kill, kill you' }]);
    // Below it, the guard does (the pack above, without guards_below, stays silent on the same post).
    expect((await evaluate(pack, { content: 'i will kill you with kindness' })).violations).toEqual([]);
  });

  it('with unless_matched, does not count the words of rules that name a harmless context, below guards_below', async () => {
    const withContexts = (extra: Record<string, unknown> = {}) =>
      packOf({
        phrases: { benign: { rules: [{ id: 'safe-flight', match: 'hurt you landing' }, { id: 'other', match: 'nothing here' }] } },
        models: { threat: model },
        checks: [{ ...base, id: 'm', code: 'VIOLENT_THREAT', message: '{{reasons}}', detector: { type: 'classifier', model: 'threat', unless_matched: { benign: ['safe-flight'] }, ...extra } }],
      });
    const post = 'hope the turbulence will not hurt you landing';
    // Without the context rule the model fires on `hurt you` (-1 + 2.5 + 0.1 = 1.6 >= 1).
    expect((await evaluate(pack, { content: post })).violations).toHaveLength(1);
    const contexts = withContexts();
    expect((await evaluate(contexts, { content: post })).violations).toEqual([]);
    const explained = await evaluate(contexts, { content: post }, { explain: true });
    expect(explained.trace).toContainEqual(expect.objectContaining({ outcome: 'suppressed', guard: 'safe-flight' }));
    // Elsewhere in the post the words still count, and a model already sure is not overruled.
    expect((await evaluate(contexts, { content: 'i will hurt you. hurt you landing' })).violations).toHaveLength(1);
    expect((await evaluate(withContexts({ guards_below: 1.5 }), { content: post })).violations).toHaveLength(1);
    expect((await evaluate(contexts, { content: 'i will hurt you' })).violations).toHaveLength(1);
    // A signal no rule of the set carries is a compile error, not a silent no-op.
    expect(() => withContexts({ unless_matched: { benign: ['safe-flihgt'] } })).toThrow(/no rule of benign has the signal\(s\) safe-flihgt/);
  });

  it('with skip_quoted, does not count quoted speech the author comments on, for the finding and the `scores` fact', async () => {
    const skipping = packOf({
      models: { threat: { ...model, skip_quoted: true } },
      checks: [{ ...base, id: 'm', code: 'VIOLENT_THREAT', message: '{{reasons}}', detector: { type: 'classifier', model: 'threat' } }],
    });
    const warning = 'he sent me "i will hurt you" so i reported and blocked him';
    expect((await evaluate(pack, { content: warning })).violations).toHaveLength(1);
    expect((await evaluate(skipping, { content: warning })).violations).toEqual([]);
    // A quote with little of the author's own around it is read as written; so is unquoted text.
    expect((await evaluate(skipping, { content: '"i will hurt you" ok' })).violations).toHaveLength(1);
    expect((await evaluate(skipping, { content: ['see you at lunch', 'i will hurt you'] })).violations).toMatchObject([{ post: 1, message: 'hurt you' }]);
  });

  it("gives when: conditions what the words add to its bias (the `scores` fact), whether it fired or not", async () => {
    // A phrase check that stands down when the words read as clearly harmless.
    const vetoed = packOf({
      phrases: { threats: { rules: [{ id: 'find-you', match: 'find you' }] } },
      models: { threat: { ...model, features: { ...model.features, 'w:recipe': -2 } } },
      checks: [
        { ...base, id: 'rule', code: 'RULE', message: 'rule', detector: { type: 'phrase', phrases: ['threats'] }, when: { all: [{ fact: 'scores', path: '$.m', operator: 'greaterThanInclusive', value: -0.5 }] } },
        { ...base, id: 'm', code: 'VIOLENT_THREAT', message: 'model', detector: { type: 'classifier', model: 'threat' } },
      ],
    });
    const codes = async (content: string) => (await evaluate(vetoed, { content })).violations.map((v) => v.code);
    // Words the model barely knows: score -0.9 (bias -1, <yo 0.1), but evidence +0.1: the rule holds.
    expect(await codes('i will find you')).toEqual(['RULE']);
    // `recipe` weighs -2: evidence -1.9, below -0.5, so the rule stands down.
    expect(await codes('i will find you a recipe')).toEqual([]);
    // The model fires on its own at 1.6 (`hurt you`), the rule beside it.
    expect(await codes('i will find you and hurt you')).toEqual(['RULE', 'VIOLENT_THREAT']);
  });

  it('with scores_unless_matched, leaves the words of framing rules out of the `scores` fact', async () => {
    const framed = (detector: Record<string, unknown> = {}) =>
      packOf({
        phrases: { threats: { rules: [{ id: 'find-you', match: 'find you' }] }, benign: { rules: [{ id: 'sign-off', match: 'recipe for all' }] } },
        models: { threat: { ...model, features: { ...model.features, 'w:recipe': -2 } } },
        checks: [
          { ...base, id: 'rule', code: 'RULE', message: 'rule', detector: { type: 'phrase', phrases: ['threats'] }, when: { all: [{ fact: 'scores', path: '$.m', operator: 'greaterThanInclusive', value: -0.5 }] } },
          { ...base, id: 'm', code: 'VIOLENT_THREAT', message: 'model', detector: { type: 'classifier', model: 'threat', ...detector } },
        ],
      });
    const codes = async (pack: ReturnType<typeof framed>, content: string) => (await evaluate(pack, { content })).violations.map((v) => v.code);
    const closing = 'i will find you. recipe for all';
    // Counted, `recipe` (-2) takes the evidence below -0.5 and the rule stands down ...
    expect(await codes(framed(), closing)).toEqual([]);
    // ... left out, the closing neither lifts nor lowers the bar: the rule holds as without it.
    const skipping = framed({ scores_unless_matched: { benign: ['sign-off'] } });
    expect(await codes(skipping, closing)).toEqual(['RULE']);
    // Only the framing rule's own words leave: `recipe` elsewhere in the post still counts.
    expect(await codes(skipping, 'i will find you a recipe. recipe for all')).toEqual([]);
    expect(() => framed({ scores_unless_matched: { benign: ['sign-of'] } })).toThrow(/scores_unless_matched: no rule of benign has the signal\(s\) sign-of/);
  });

  it('refuses a scores condition that names no classifier check, which could never hold', () => {
    const pack = (path: string) =>
      packOf({
        lexicons: { words: { terms: ['heck'], allow: [] } },
        models: { threat: model },
        checks: [
          { ...base, id: 'rule', code: 'RULE', message: 'rule', detector: { type: 'lexicon', lexicons: ['words'] }, when: { all: [{ fact: 'scores', path, operator: 'greaterThanInclusive', value: -2 }] } },
          { ...base, id: 'm', code: 'VIOLENT_THREAT', message: 'model', detector: { type: 'classifier', model: 'threat' } },
        ],
      });
    expect(() => pack('$.m')).not.toThrow();
    expect(() => pack('$.tos-model')).toThrow(/checks\[0\]\.when\.all\[0\]: reads the scores fact at "\$\.tos-model", which names no enabled classifier check of this pack \(m\)/);
    expect(() => pack('$.rule')).toThrow(/names no enabled classifier check/);
  });

  it('refuses an unknown model at compile time', () => {
    expect(() =>
      packOf({ checks: [{ ...base, id: 'm', code: 'VIOLENT_THREAT', message: 'm', detector: { type: 'classifier', model: 'nope' } }] }),
    ).toThrow(/unknown model "nope"/);
  });
});
