/**
 * Phrase sets: token sequences over the normalised text, with slots, inflections,
 * gaps, guards and token classes. Each case goes through `evaluate` on a small
 * pack, so spans, evidence and revelations are checked where callers see them.
 */
import { describe, expect, it } from 'vitest';
import { compilePack, evaluate } from '../../../engine/index.js';
import type { ResolvedPack } from '../../../engine/index.js';
import type { PhraseSetSpec } from '../../../engine/phrases/phrase-schema.js';

const threats: PhraseSetSpec = {
  slots: {
    VIOLENT: { inflect: 'verb', words: ['kill', 'stab', 'beat to death', 'put a bullet in'] },
    TARGET: ['you', 'u', 'him', 'her'],
    WEAPON: { inflect: 'noun', words: ['gun', 'knife'] },
  },
  guards: {
    negation: { match: 'never/not', before: 3 },
    news: { match: ['police said', 'allegedly'], within: 'sentence' },
    fiction: { match: 'chapter/novel', within: 'post', except: ['irl', 'in real life'] },
    reported: { match: 'police report', within: 'nearby' },
    quoted: { quoted: true },
  },
  rules: [
    { id: 'will-harm', match: "(i'll|i will|gonna) ..2 $VIOLENT ..1 $TARGET", unless: ['negation', 'news', 'fiction', 'reported', 'quoted'] },
    { id: 'weapon-tomorrow', match: 'bringing [a|my] $WEAPON ..4 tomorrow' },
    { id: 'money', signal: 'price', match: '$NUMBER ..1 followers ..3 $MONEY' },
    { id: 'urgent', signal: 'urgency', match: 'within $NUMBER hours' },
    { id: 'password', signal: 'credential', match: '(confirm|verify) ..2 password' },
    { id: 'link', signal: 'link', match: '$URL' },
  ],
};

function packWith(phrases: Record<string, PhraseSetSpec>, checks: ResolvedPack['checks']): ResolvedPack {
  return { id: 't', version: '1.0.0', description: '', defaults: { platform: 'x', thread_split: 'none' }, lexicons: {}, phrases, checks };
}

const base = { severity: 'block' as const, category: 'harmful' as const, message: '{{rule}}', suggestedFix: 'fix', required_edit: { action: 'delete' as const } };
const pack = compilePack(
  packWith({ threats }, [
    { ...base, id: 'threat', code: 'VIOLENT_THREAT', detector: { type: 'phrase', phrases: ['threats'], signals: ['will-harm', 'weapon-tomorrow'] } },
    { ...base, id: 'price', code: 'TOS_FAKE_ENGAGEMENT', category: 'tos', detector: { type: 'phrase', phrases: ['threats'], signals: ['price'] } },
    {
      ...base,
      id: 'phish',
      code: 'TOS_PHISHING',
      category: 'tos',
      detector: { type: 'phrase', phrases: ['threats'], signals: ['urgency', 'credential', 'link'] },
      when: { fact: 'signals', path: '$.phish.posts', operator: 'allInOne', value: ['urgency', 'credential'] },
    },
    {
      ...base,
      id: 'phish-thread',
      code: 'TOS_PHISHING_THREAD',
      category: 'tos',
      detector: { type: 'phrase', phrases: ['threats'], signals: ['credential', 'link'] },
      when: { fact: 'signals', path: '$.phish-thread.thread', operator: 'allInOne', value: ['credential', 'link'] },
    },
  ]),
);

async function fired(content: string | string[]) {
  const d = await evaluate(pack, { content }, { explain: true });
  return { codes: [...new Set(d.violations.map((v) => v.code))], violations: d.violations, trace: d.trace ?? [] };
}

describe('phrase rules', () => {
  it.each([
    "I'll kill you",
    'ill kill u',
    'I will literally fucking kill you', // a gap of two fillers
    'gonna k1ll u', // leetspeak folded by the normaliser
    'gonna k i l l you', // spaced letters
    'gonna kiiiill you', // repeats
    'I will stab him', // another slot entry
    'I will beat you to death'.replace('you to death', 'to death you'), // multi-word slot entry
    'gonna put a bullet in her',
    'I will stabbing you', // inflections generated at compile time (stab → stabbing)
    'ＩＬＬ ＫＩＬＬ ＵＵ'.replace('ＵＵ', 'Ｕ'), // fullwidth
  ])('%j is a threat', async (text) => {
    expect((await fired(text)).codes).toEqual(['VIOLENT_THREAT']);
  });

  it.each([
    'I killed it on stage', // no modal, no target
    "I'll kill the process", // not a target
    'I will kill. You know it', // the match may not cross a sentence
    'I will never kill you', // negation guard
    'Police said the man told her "I will kill you"', // news and quoted guards
    "Chapter 3 of the novel. He whispers: I'll kill you", // a post-wide guard reaches across sentences
  ])('%j is not', async (text) => {
    expect((await fired(text)).codes).toEqual([]);
  });

  it('keeps a post-wide guard inside its post', async () => {
    expect((await fired(['Chapter 3 is out', "I'll kill you"])).codes).toEqual(['VIOLENT_THREAT']);
  });

  it('holds a nearby guard in the sentences either side of the match, not further', async () => {
    const report = 'I filed a police report.';
    // The sentence before, the match's own and the one after hold the guard ...
    for (const text of [`${report} I will kill you`, `I will kill you. ${report}`, `Hi all. ${report} I will kill you. Bye`]) {
      expect((await fired(text)).trace, text).toMatchObject([{ rule: 'will-harm', outcome: 'suppressed', guard: 'reported' }]);
    }
    // ... two sentences away it does not: a long post turns to another subject.
    for (const text of [`${report} It went nowhere. I will kill you`, `I will kill you. Really. ${report}`]) {
      expect((await fired(text)).codes, text).toEqual(['VIOLENT_THREAT']);
    }
    // The answer is kept per sentence: a second match elsewhere in the post is judged on its own.
    const twice = await fired(`${report} I will kill you. Nothing else. Then I will stab him`);
    expect(twice.codes).toEqual(['VIOLENT_THREAT']);
    expect(twice.trace.map((t) => [t.outcome, t.guard])).toEqual(expect.arrayContaining([['suppressed', 'reported'], ['matched', undefined]]));
  });

  it('reports the span in the caller\'s text, the rule and what the normaliser revealed', async () => {
    const text = 'ok so... gonna k1ll u tomorrow';
    const { violations } = await fired(text);
    expect(violations).toHaveLength(1);
    const [v] = violations;
    expect(text.slice(...v!.span!)).toBe('gonna k1ll u');
    expect(v!.message).toBe('will-harm');
    expect(v!.revealed_by).toEqual(['leetspeak']);
  });

  it('traces which guard suppressed a match', async () => {
    const { trace } = await fired('I would never kill you');
    expect(trace).toEqual([]); // `would` is not in the pattern: nothing matched at all
    const quoted = await fired('He wrote "I will kill you" and got banned');
    expect(quoted.trace).toMatchObject([{ check: 'threat', rule: 'will-harm', outcome: 'suppressed', guard: 'quoted' }]);
  });

  it('reads single quotes as quotation marks, and an apostrophe as none', async () => {
    for (const text of ["He wrote 'I will kill you' and got banned", 'He wrote ‘i will kill you’, reported', "his bio says 'gonna kill u', lol"]) {
      expect((await fired(text)).trace, text).toMatchObject([{ rule: 'will-harm', outcome: 'suppressed', guard: 'quoted' }]);
    }
    // Apostrophes open nothing, and a quote that never closes holds nothing.
    for (const text of ["don't care, i will kill you", "'cause i will kill you tonight", "it's decided. i'll kill you"]) {
      expect((await fired(text)).codes, text).toEqual(['VIOLENT_THREAT']);
    }
  });

  it('matches numbers, amounts and links as token classes', async () => {
    expect((await fired('10,000 real followers from $9.99')).codes).toEqual(['TOS_FAKE_ENGAGEMENT']);
    expect((await fired('10k followers only 15 usd')).codes).toEqual(['TOS_FAKE_ENGAGEMENT']);
    expect((await fired('10 followers later, still no money')).codes).toEqual([]);
  });

  it('combines weak signals through json-rules-engine: both in one post, not spread over the thread', async () => {
    expect((await fired('Verify your password within 12 hours: bit.ly/x')).codes).toEqual(['TOS_PHISHING', 'TOS_PHISHING_THREAD']);
    expect((await fired(['Verify your password anytime.', 'Sale ends within 12 hours'])).codes).toEqual([]);
    expect((await fired('Verify your password regularly')).codes).toEqual([]);
  });

  it('combines weak signals over a whole thread when a check reads the thread group', async () => {
    expect((await fired(['Verify your password today.', 'Here: bit.ly/x'])).codes).toEqual(['TOS_PHISHING_THREAD']);
    expect((await fired(['Verify your password today.', 'No link in this one.'])).codes).toEqual([]);
  });

  it('refuses a rule with no required word, an unknown slot or guard, and a number or an emoji written as a word', () => {
    const check = { ...base, id: 'c', code: 'CC', detector: { type: 'phrase' as const, phrases: ['s'] } };
    const compile = (rules: PhraseSetSpec['rules']) => () => compilePack(packWith({ s: { rules } }, [check]));
    expect(compile([{ id: 'r', match: '..3 _' }])).toThrow('has no required word');
    expect(compile([{ id: 'r', match: '$NOPE' }])).toThrow('unknown slot $NOPE');
    expect(compile([{ id: 'r', match: 'a', unless: ['nope'] }])).toThrow('unknown guard "nope"');
    expect(compile([{ id: 'r', match: 'within 24 hours' }])).toThrow('$NUMBER');
    // An alternative with no letters among words that have them is refused too, not dropped.
    expect(compile([{ id: 'r', match: 'kill you (lol|😂)' }])).toThrow('"😂" has no letters to match');
    expect(compile([{ id: 'r', match: 'watch your (back|6)' }])).toThrow('"6" has no letters to match');
    expect(compile([{ id: 'r', match: 'a' }, { id: 'r', match: 'b' }])).toThrow('duplicate rule id');
  });

  it('refuses a check that names a signal no rule has', () => {
    const check = { ...base, id: 'c', code: 'CC', detector: { type: 'phrase' as const, phrases: ['threats'], signals: ['nope'] } };
    expect(() => compilePack(packWith({ threats }, [check]))).toThrow('has the signal(s) nope');
  });
});

describe('guard exceptions', () => {
  it('does not let a guard hold in a post that says its context does not apply', async () => {
    const codes = async (content: string) => (await evaluate(pack, { content })).violations.map((v) => v.code);
    expect(await codes('in chapter 3 i will stab him')).toEqual([]);
    expect(await codes('in chapter 3 i will stab him. irl, not in the novel')).toEqual(['VIOLENT_THREAT']);
    expect(await codes('finished the novel. in real life i will kill you')).toEqual(['VIOLENT_THREAT']);
  });
});

describe('one endless sentence', () => {
  it('matches and suppresses in it what each of its pieces does alone', async () => {
    // Thousands of tokens with every rule viable: the starts come from the sentence's word index (start-plan.ts).
    const pieces = ["I'll kill you", 'gonna stab him', 'i will never kill you', 'bringing my gun to school tomorrow', 'verify your password', 'nothing to see'];
    const filler = ' and so on and so forth '; // no punctuation: one sentence
    const order = Array.from({ length: 600 }, (_, i) => pieces[(i * 7 + (i >> 3)) % pieces.length]!);
    const traceOf = async (text: string) => ((await evaluate(pack, { content: text }, { explain: true })).trace ?? []).map((e) => `${e.rule} ${e.outcome} ${e.span}`);
    const expected: string[] = [];
    let offset = 0;
    for (const piece of order) {
      for (const entry of (await evaluate(pack, { content: piece }, { explain: true })).trace ?? []) {
        expected.push(`${entry.rule} ${entry.outcome} ${entry.span!.map((at) => at + offset)}`);
      }
      offset += piece.length + filler.length;
    }
    const actual = await traceOf(order.join(filler));
    expect(actual.length).toBeGreaterThan(400);
    expect(actual.sort()).toEqual(expected.sort());
  });
});
