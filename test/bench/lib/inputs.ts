/**
 * Every benchmark input, generated deterministically in one place so that
 * gatehouse and the peers see exactly the same strings.
 */

import { mulberry32 as rng } from '../../../engine/tooling/random.js';

/** mulberry32: small, fast, deterministic (the trainer's generator). */
export { rng };

// Ordinary English with no profanity, no claims with figures, no promotion.
const SENTENCES = [
  'We spent the morning rewriting the onboarding guide so that new people can find their way around.',
  'The garden finally looks like spring, with tulips along the fence and herbs by the kitchen door.',
  'Our team shipped the new search page today; it loads faster and the filters are easier to read.',
  'If you are learning to code, pick one small project and finish it before starting the next one.',
  'The library downtown has reopened its reading room, and the new chairs are very comfortable.',
  'Good documentation explains why a decision was made, not only what the code does.',
  'We walked along the river after lunch and watched the boats drift slowly towards the bridge.',
  'Thanks to everyone who came to the meetup last night and asked such thoughtful questions.',
  'A quiet desk, a clear plan and a cup of tea make most mornings productive.',
  'The bakery on the corner now sells rye bread on weekends, and it sells out before noon.',
  'Testing the slow paths first saved us a week of guessing during the release.',
  'She sketched the whole layout on paper before opening the design tool.',
  'Remember to back up your notes before upgrading the operating system on your laptop.',
  'The museum tour ends in a bright hall full of old maps and hand-drawn charts.',
  'We are hiring a writer who enjoys turning complex topics into clear, friendly guides.',
  'Reading the error message carefully is still the fastest way to fix most bugs.',
  'The forecast says rain tomorrow, so the picnic moves to the community hall.',
  'Our podcast this week talks about habits, focus and how to plan a calm week.',
  'He repaired the old bicycle with parts from three other bikes and a lot of patience.',
  'Small, steady improvements beat big rewrites that never quite land.',
  'The choir rehearses on Thursday evenings and welcomes new singers of every level.',
  'We moved the weekly review to Friday afternoon so that everyone can join.',
  'A short walk between meetings clears the head better than another coffee.',
  'The workshop covers sourdough starters, shaping loaves and baking in a home oven.',
  'Keep your commit messages short, specific and written for the next reader.',
  'The hiking trail climbs gently through pine forest before opening onto the ridge.',
  'Our newsletter now arrives on Sunday mornings with a summary of the week.',
  'Kindness in code review makes teams faster, not slower.',
  'The old train station is becoming a market hall with local food and crafts.',
  'Write the test that would have caught the bug, then fix the bug.',
];

const MAX_LINE = 160; // the default pack warns above 200 characters per line

/**
 * Clean English prose of exactly `length` UTF-16 units: sentences in lines of
 * at most 160 characters, ending with `tail` (e.g. " #AI"). The last word is
 * never cut: a short gap is filled with dots.
 */
export function prose(length: number, seed = 1, tail = ' #AI'): string {
  const next = rng(seed);
  const budget = length - tail.length;
  if (budget < 1) throw new Error(`prose(${length}) leaves no room for the tail`);
  let text = '';
  let line = '';
  while (text.length + line.length < budget) {
    const sentence = SENTENCES[Math.floor(next() * SENTENCES.length)]!;
    if (line.length > 0 && line.length + 1 + sentence.length > MAX_LINE) {
      text += `${line}\n`;
      line = '';
    }
    line += (line.length > 0 ? ' ' : '') + sentence;
  }
  text = (text + line).slice(0, budget);
  // Drop a word cut in half (a fragment could be a word of its own), pad to length.
  if (/[A-Za-z]$/.test(text)) text = text.replace(/[A-Za-z]+$/, '').trimEnd();
  return text + '.'.repeat(budget - text.length) + tail;
}

/** A 25-post thread: `1/25 …` labels, each post ~`postLength` characters, the tag in the last post. */
export function thread(posts = 25, postLength = 200): string[] {
  return Array.from({ length: posts }, (_, i) => {
    const label = `${i + 1}/${posts} `;
    const last = i === posts - 1;
    return label + prose(postLength - label.length, 100 + i, last ? ' #AI' : '.');
  });
}

/** A post with violations of several checks: profanity, a scam promise and undisclosed promotion. */
export function violatingPost(length = 280): string {
  const head = 'This fucking app pays out: guaranteed returns every single week.\nUse my code at checkout, link in bio.\n';
  return head + prose(length - head.length, 7);
}

/**
 * A post that fires exactly one check of the default pack (tos-scam) and nothing else. Until
 * 2026-12-07 its head was "Want to get rich quick? Read the plan below first.": the TOS model
 * trained with tails reads that hook over ordinary prose as too weak to flag.
 */
export function oneFindingPost(length = 280): string {
  const head = 'Guaranteed returns every week: read the plan below first.\n';
  return head + prose(length - head.length, 11);
}

const CONSONANTS = 'bcdfghjklmnprstvwz';
const CLUSTERS = ['br', 'ch', 'cl', 'dr', 'fl', 'gr', 'pl', 'sh', 'sk', 'st', 'th', 'tr'];
const VOWELS = 'aeiouy';

/** Collapses repeated letters, as gatehouse's normaliser does for terms and text. */
function collapseRepeats(word: string): string {
  return word.replace(/(.)\1+/g, '$1');
}

/**
 * Lower-case words of the given texts as written and with repeats collapsed,
 * each also without its last 1–3 letters: gatehouse matches a term followed by
 * an inflection suffix (s, es, ed, er, ers, in, ing, y, and d/r/rs after e).
 */
export function wordsOf(texts: Iterable<string>): Set<string> {
  const words = new Set<string>();
  for (const text of texts) {
    for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
      for (const form of [word, collapseRepeats(word)]) {
        for (let cut = 0; cut <= 3 && cut < form.length; cut++) words.add(form.slice(0, form.length - cut));
      }
    }
  }
  return words;
}

/** Letters that English words never put side by side (and the normaliser never makes: it collapses repeats, not these). */
const RARE = 'jqxz';

/**
 * The pairs of two different letters of `RARE` (`jq`, `qx`, `zj`, …) found nowhere in `texts`,
 * read as one run of lower-case letters per text (spaces, punctuation and digits dropped), so
 * that a pair split across words or by punctuation counts as found too.
 */
export function absentRarePairs(texts: Iterable<string>): string[] {
  const letters = [...texts].map((t) => collapseRepeats(t.toLowerCase().replace(/[^a-z]+/g, ''))).join('|');
  const pairs: string[] = [];
  for (const a of RARE) for (const b of RARE) if (a !== b && !letters.includes(a + b)) pairs.push(a + b);
  return pairs;
}

/**
 * `count` distinct word-like terms (lower-case letters, 7–12 characters) that cannot match
 * `texts` (the benchmark inputs), so that a bigger lexicon adds lookup work but never a finding:
 * each is a syllable prefix of 3–8 letters (so a scan walks into the automaton as it would for
 * real words), one pair of `absentRarePairs(texts)`, and a consonant and a vowel. gatehouse's
 * profanity matcher also matches respelt forms of a term (engine/lexicon-variants.ts: vowels
 * dropped, adjacent letters swapped at the second and the second-to-last position, ck→k, u→v,
 * a split across one space, …) and inflections; none of them removes or separates the pair,
 * which sits away from the swapped positions, and a split inside it is covered by reading the
 * texts without spaces. Terms that are words of the inputs or their stems (`exclude`) are
 * skipped as before. (A first version built terms of syllables only: from 2026-12 the matcher's
 * respellings made one of 100,000 match "parts", "lot of" and "Reading" in the clean post.)
 */
export function syntheticTerms(count: number, exclude: ReadonlySet<string>, texts: Iterable<string>, seed = 42): string[] {
  const pairs = absentRarePairs(texts);
  if (pairs.length === 0) throw new Error('every pair of j, q, x, z occurs in the inputs: no collision-free synthetic terms');
  const next = rng(seed);
  const pick = (s: string | readonly string[]) => s[Math.floor(next() * s.length)]!;
  const out = new Set<string>();
  while (out.size < count) {
    const prefixLength = 3 + Math.floor(next() * 6);
    let prefix = '';
    while (prefix.length < prefixLength) prefix += (next() < 0.25 ? pick(CLUSTERS) : pick(CONSONANTS)) + pick(VOWELS);
    const word = prefix.slice(0, prefixLength) + pick(pairs) + pick(CONSONANTS) + pick(VOWELS);
    if (exclude.has(word) || exclude.has(collapseRepeats(word))) continue;
    out.add(word);
  }
  return [...out];
}

/** The texts of an input, whatever its shape. */
export function textsOf(content: string | string[]): string[] {
  return Array.isArray(content) ? content : [content];
}

export function charsOf(content: string | string[]): number {
  return textsOf(content).reduce((n, t) => n + t.length, 0);
}

// ---------------------------------------------------------------------------
// The benchmark's inputs, and what the default pack must report on each.

export type Content = string | string[];

export interface Input {
  label: string;
  content: Content;
  /** Codes (violations and warnings) the default pack reports on it; the bench checks this before timing. */
  codes: string[];
}

const input = (label: string, content: Content, codes: string[] = []): Input => ({ label, content, codes });

export const INPUTS = {
  clean: input('clean post, 280 chars', prose(280)),
  violations: input('post with violations, 280 chars', violatingPost(280), ['PROFANITY', 'TOS_LIKELY_VIOLATION', 'TOS_SCAM', 'TOS_UNDISCLOSED_PROMOTION']),
  thread: input('thread, 25 posts × 200 chars', thread(25, 200)),
  long: input('text, 28,000 chars', prose(28_000), ['LENGTH_EXCEEDED']),
  medium: input('text, 2,800 chars', prose(2_800), ['LENGTH_EXCEEDED']),
  oneFinding: input('post firing one check, 280 chars', oneFindingPost(280), ['TOS_SCAM']),
} satisfies Record<string, Input>;

export type InputId = keyof typeof INPUTS;

/** Request metadata sent with every evaluation (each input carries the #AI tag). */
export const METADATA = { required_tags: ['#AI'] };
