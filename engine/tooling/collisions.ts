/**
 * The collision finder (`gatehouse check`): every lexicon term, and every form
 * the matcher accepts for it (inflections, compounds, phonetic variants,
 * splits across a space), matched against dictionaries: Debian's word lists
 * for English and the five other languages. A dictionary word that a lexicon
 * hits is a collision unless it is simply the term (or its plural) in the
 * lexicon's own language; each collision must be allow-listed (the matcher
 * then lets it pass) or listed under `accepted:` (it is meant to match).
 * This is how false positives are known rather than guessed.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Revelation } from '../decision.js';
import { matcherLexicon } from '../detectors/lexicon.js';
import { LexiconMatcher } from '../lexicon-matcher.js';
import { type Language, spacedSplits } from '../lexicon-variants.js';
import { normalizeForMatching } from '../normalize.js';
import type { ResolvedPack } from '../pack-schema.js';

export interface WordListSource {
  language: Language;
  /** File name under the word-list folder. */
  file: string;
  /** Debian package that installs it. */
  debian: string;
}

/** Debian's lists (installed by .ci/run); `words` is a symlink to one of them and is skipped. */
export const DEBIAN_WORD_LISTS: readonly WordListSource[] = [
  { language: 'en', file: 'american-english-huge', debian: 'wamerican-huge' },
  { language: 'en', file: 'british-english-huge', debian: 'wbritish-huge' },
  { language: 'fr', file: 'french', debian: 'wfrench' },
  { language: 'es', file: 'spanish', debian: 'wspanish' },
  { language: 'de', file: 'ngerman', debian: 'wngerman' },
  { language: 'it', file: 'italian', debian: 'witalian' },
  { language: 'pt', file: 'portuguese', debian: 'wportuguese' },
];

export interface WordList {
  language: Language;
  name: string;
  words: string[];
}

export interface Collision {
  lexicon: string;
  term: string;
  /** Dictionary words (or word pairs, for splits across a space) the term's forms hit, sorted. */
  words: string[];
  /** How the forms that hit were reached, e.g. compound, phonetic, spacing. */
  how: Revelation[];
}

/** Reads the lists that exist under `dir`; `missing` names the Debian packages of the others. */
export function loadWordLists(dir: string, sources: readonly WordListSource[] = DEBIAN_WORD_LISTS): { lists: WordList[]; missing: string[] } {
  const lists: WordList[] = [];
  const missing: string[] = [];
  for (const source of sources) {
    const file = path.join(dir, source.file);
    if (!existsSync(file)) {
      missing.push(source.debian);
      continue;
    }
    const words = readFileSync(file, 'utf8').split('\n').map((w) => w.trim()).filter((w) => w.length > 0);
    lists.push({ language: source.language, name: source.file, words });
  }
  return { lists, missing };
}

const CHUNK_WORDS = 20_000;

/** Collisions of every lexicon of the pack that are neither allow-listed nor accepted. */
export function findCollisions(pack: Pick<ResolvedPack, 'lexicons'>, lists: readonly WordList[]): Collision[] {
  const found = new Map<string, { lexicon: string; term: string; words: Set<string>; how: Set<Revelation> }>();
  const note = (lexicon: string, term: string, word: string, how: readonly Revelation[]) => {
    const key = `${lexicon}\u0000${term}`;
    let c = found.get(key);
    if (!c) found.set(key, (c = { lexicon, term, words: new Set(), how: new Set() }));
    c.words.add(word);
    for (const h of how) if (h !== 'case' && h !== 'accent') c.how.add(h);
  };
  const lexicons = Object.entries(pack.lexicons).map(([id, l]) => ({
    id,
    language: l.language ?? 'en',
    accepted: new Set((l.accepted ?? []).map((w) => w.toLowerCase())),
    plain: new Set(l.terms.map((t) => normalizeForMatching(t).text)),
    matcher: new LexiconMatcher([matcherLexicon({ id, ...l })]),
    spec: l,
  }));
  const byId = new Map(lexicons.map((l) => [l.id, l]));
  // One automaton over every lexicon (allow-lists stay per lexicon): one pass per dictionary chunk.
  const all = new LexiconMatcher(Object.entries(pack.lexicons).map(([id, l]) => matcherLexicon({ id, ...l })));
  const dictionary = new Set<string>();
  for (const list of lists) for (const w of list.words) dictionary.add(w.toLowerCase());

  const seen = new Map<Language, Set<string>>(); // american and british lists share most words
  for (const list of lists) {
    let known = seen.get(list.language);
    if (!known) seen.set(list.language, (known = new Set()));
    const fresh = list.words.filter((w) => !known.has(w) && (known.add(w), true));
    for (let from = 0; from < fresh.length; from += CHUNK_WORDS) {
      const words = fresh.slice(from, from + CHUNK_WORDS);
      const offsets: number[] = [];
      let text = '';
      for (const w of words) {
        offsets.push(text.length);
        text += `${w}\n`;
      }
      const n = normalizeForMatching(text);
      for (const hit of all.find(n)) {
        const lexicon = byId.get(hit.lexicon!)!;
        {
          const word = words[wordAt(offsets, hit.start)]!;
          const lower = word.toLowerCase();
          if (lexicon.accepted.has(lower)) continue;
          if (list.language === lexicon.language && isLiteral(lower, hit.revealed_by, lexicon.plain)) continue;
          note(lexicon.id, hit.term, lower, hit.revealed_by);
        }
      }
    }
  }

  // Splits across a space (`fu ck`): collisions when both halves are words and the matcher takes the pair.
  for (const lexicon of lexicons) {
    if (!lexicon.spec.variants) continue;
    const plainTerms = new Set(lexicon.spec.plain ?? []);
    for (const term of lexicon.spec.terms) {
      if (plainTerms.has(term)) continue;
      for (const [left, right] of spacedSplits(normalizeForMatching(term).text, lexicon.language)) {
        if (!dictionary.has(left) || !dictionary.has(right)) continue;
        const pair = `${left} ${right}`;
        if (lexicon.accepted.has(pair)) continue;
        const hit = lexicon.matcher.find(normalizeForMatching(pair))[0];
        if (hit && hit.revealed_by.includes('spacing')) note(lexicon.id, hit.term, pair, hit.revealed_by);
      }
    }
  }

  return [...found.values()]
    .map((c) => ({ lexicon: c.lexicon, term: c.term, words: [...c.words].sort(), how: [...c.how].sort() }))
    .sort((a, b) => a.lexicon.localeCompare(b.lexicon) || a.term.localeCompare(b.term));
}

/** The term itself or its plain plural, reached with no evasion reading: what the lexicon means to match. */
function isLiteral(word: string, revealed: readonly Revelation[], terms: ReadonlySet<string>): boolean {
  if (revealed.some((r) => r !== 'case')) return false;
  const form = normalizeForMatching(word.replace(/['’]s$/, '')).text;
  if (terms.has(form)) return true;
  for (const plural of ['s', 'es']) if (form.endsWith(plural) && terms.has(form.slice(0, -plural.length))) return true;
  return false;
}

function wordAt(offsets: readonly number[], at: number): number {
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * `findCollisions` with its answer kept in `dir` under a key made of the lexicons and the
 * lists' names and sizes: the finder reads ~2 million words, a re-check of an unchanged
 * pack should not.
 */
export function findCollisionsCached(pack: Pick<ResolvedPack, 'lexicons'>, lists: readonly WordList[], dir: string): Collision[] {
  const hash = createHash('sha256')
    .update(JSON.stringify(pack.lexicons))
    .update(JSON.stringify(lists.map((l) => [l.name, l.language, l.words.length, l.words[0], l.words.at(-1)])))
    .update(CACHE_VERSION)
    .digest('hex');
  const file = path.join(dir, `collisions-${hash.slice(0, 32)}.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Collision[];
  } catch {
    const collisions = findCollisions(pack, lists);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, JSON.stringify(collisions));
    } catch {
      // A read-only cache folder only costs time.
    }
    return collisions;
  }
}

/** The matching code itself is part of the key: a changed matcher reports anew. */
const CACHE_VERSION = ['../lexicon-matcher', '../lexicon-variants', '../lexicon-censored', '../lexicon-candidates', '../lexicon-entries', '../normalize', '../normalize/code-points', '../normalize/collapse', '../normalize/evasions', '../normalize/leet-sequences', '../normalize/censor-runs', './collisions']
  .map((m) => {
    for (const ext of ['.js', '.ts']) {
      try {
        return readFileSync(fileURLToPath(new URL(m + ext, import.meta.url)), 'utf8');
      } catch {
        // try the other extension (compiled or run from source)
      }
    }
    return m;
  })
  .join('\u0000');

/** One line per collision, for `gatehouse check`. */
export function formatCollision(c: Collision, max = 25): string {
  const shown = c.words.slice(0, max).join(', ');
  const more = c.words.length > max ? ` … and ${c.words.length - max} more` : '';
  const how = c.how.length > 0 ? ` (${c.how.join(', ')})` : '';
  return `lexicon "${c.lexicon}": term "${c.term}"${how} hits ${c.words.length} dictionary word(s): ${shown}${more}; allow-list them or list them under accepted:`;
}
