/**
 * One-pass lexicon matching over the normalised view of a post: one
 * Aho–Corasick automaton over the collapsed forms of all terms, their
 * generated variants (phonetic respellings, splits across a space) and the
 * allow-list; whole-word checks with each language's inflection suffixes;
 * compounds for the terms that allow them; run verification so that collapsing
 * repeats never invents a match (`as` ≠ `ass`); a trie for self-censored words
 * (lexicon-censored.ts); context rules for polysemous terms
 * (lexicon-context.ts). Allow-lists and context apply to their own lexicon only.
 */
import type { Revelation } from './decision.js';
import { type NormalizedText, normalizeForMatching } from './normalize.js';
import { REVEAL, revelationsOf, SENTENCE_BREAK } from './normalize/revelations.js';
import { keyScanner, type KeyScanner } from './lexicon-automaton.js';
import { CensoredMatcher, type CensorTarget } from './lexicon-censored.js';
import { ContextRules, type ContextRuleSpec } from './lexicon-context.js';
import { type Language, phoneticVariants, spacedSplits, SUFFIXES } from './lexicon-variants.js';

export interface LexiconHit {
  /** The lexicon term as written in the lexicon. */
  term: string;
  /** Id of the term's lexicon, when the matcher was built from named lexicons. */
  lexicon?: string;
  /** [start, end) in UTF-16 units of the original post text. */
  start: number;
  end: number;
  revealed_by: Revelation[];
}

/** How a term may sit inside a longer word: `prefix` (shitshow), `suffix` (bullshit), `any` (both). */
export type CompoundMode = 'none' | 'prefix' | 'suffix' | 'any';

export interface TermSpec {
  term: string;
  /** Default `none`: whole words only. */
  compound?: CompoundMode;
  /** Default: the lexicon's `variants`. */
  variants?: boolean;
}

/** One lexicon as the matcher sees it (a pack lexicon, resolved). */
export interface MatcherLexicon {
  id?: string;
  terms: readonly (string | TermSpec)[];
  allow?: readonly string[];
  language?: Language;
  /** Generate phonetic / misspelt / spaced variants of single-word terms (default false). */
  variants?: boolean;
  context?: readonly ContextRuleSpec[];
}

const PREFIX = 1; // letters may follow the term in its word
const SUFFIX = 2; // letters may precede it

interface Variant {
  term: string;
  runs: Uint16Array;
  /** Per char of the lexicon form: the REVEAL bits the term's own spelling carries. */
  flags: Uint8Array;
  allow: boolean;
  /** A multi-word term with its spaces removed: only valid for spaced-out letters (`k i l l y o u`). */
  joined: boolean;
  lexicon: number;
  lexiconId?: string;
  /** Matcher-level REVEAL bits this form stands for (phonetic, spacing). */
  reveal: number;
  /** Generated forms need each run written exactly (or ≥ 3 times, a visible repeat): `cok` ≠ `cook`. */
  exactRuns: boolean;
  compound: number;
  suffixes: readonly string[];
}

/** All lexicon entries that share one collapsed form. */
interface Entry {
  variants: Variant[];
  multiWord: boolean;
  endsInE: boolean;
  /** Ends in s, x, z, ch or sh: takes the English plural `es` (`asses`, `bitches`; not `dickes`). */
  sibilant: boolean;
  /** Some variant may end a longer word (`bullshit`): mid-word matches are worth a look. */
  midWord: boolean;
}

interface Candidate {
  start: number; // in the normalised text
  end: number; // past the suffix, if any
  keyLength: number; // at equal spans, the longer lexicon form wins (`fucking` over `fuck` + `ing`)
  /** Where the lexicon form starts in the normalised text; -1 when it is not spelled out (self-censored). */
  keyStart: number;
  variant: Variant;
  reveal: number;
  /** Original-text end when it differs from the last letter's (a trailing censor run). */
  originalEnd?: number;
}

const SPACE = 0x20;
const EN_NON_SIBILANT = SUFFIXES.en.filter((s) => s !== 'es');
/** After a term ending in `e`, the suffix's own `e` merges (`rape` + `ed` → `raped`). */
const E_SUFFIXES = ['d'] as const;
/** Letters the other part of a compound needs at least (collapsed): `shit` + `show`, not `shit` + `e`. */
const MIN_COMPOUND_PART = 3;

export class LexiconMatcher {
  /** Number of terms that have a matchable form (terms that normalise to nothing, like `69`, are dropped). */
  readonly size: number;
  readonly #automaton: KeyScanner<Entry>;
  readonly #censored: CensoredMatcher<Variant> | undefined;
  readonly #context: ContextRules | undefined;
  readonly #lexicons: number;

  constructor(terms: readonly (string | TermSpec)[], allow?: readonly string[]);
  constructor(lexicons: readonly MatcherLexicon[]);
  constructor(termsOrLexicons: readonly (string | TermSpec)[] | readonly MatcherLexicon[], allow: readonly string[] = []) {
    const lexicons = isLexiconList(termsOrLexicons) ? termsOrLexicons : [{ terms: termsOrLexicons, allow }];
    const entries = new Map<string, Entry>();
    const censorTargets: (CensorTarget<Variant> & { runs: ArrayLike<number> })[] = [];
    let size = 0;
    lexicons.forEach((lexicon, index) => {
      const allowed = new Set((lexicon.allow ?? []).map((a) => normalizeForMatching(a).text));
      for (const spec of lexicon.terms) {
        if (addTerm(entries, censorTargets, typeof spec === 'string' ? { term: spec } : spec, lexicon, index, allowed)) size++;
      }
      for (const term of lexicon.allow ?? []) addAllow(entries, term, lexicon, index);
    });
    this.size = size;
    this.#lexicons = lexicons.length;
    this.#automaton = keyScanner([...entries]);
    this.#censored = censorTargets.length > 0 ? new CensoredMatcher(censorTargets) : undefined;
    const context = lexicons.map((l) => l.context ?? []);
    this.#context = context.some((c) => c.length > 0) ? new ContextRules(context) : undefined;
  }

  /** Non-overlapping hits, leftmost first, longest at a tie; allow-listed regions and benign contexts suppressed. */
  find(n: NormalizedText): LexiconHit[] {
    if (n.text.length === 0) return [];
    const hits: Candidate[] = [];
    const allowed: Candidate[] = [];
    this.#automaton.forEachMatch(n.text, (start, end, entry) => collect(n, start, end, entry, hits, allowed));
    if (this.#censored && n.censors) {
      for (const c of this.#censored.find(n)) {
        hits.push({ start: c.start, end: c.end, keyLength: c.end - c.start, keyStart: -1, variant: c.value, reveal: REVEAL.self_censoring, originalEnd: c.originalEnd });
      }
    }
    if (hits.length === 0) return [];
    let selected = select(hits, allowed, this.#lexicons);
    if (this.#context) {
      const context = this.#context;
      selected = selected.filter((c) => !context.benign(n, c.start, c.end, c.variant.lexicon, c.variant.term));
    }
    return selected.map((h) => toHit(n, h));
  }
}

function isLexiconList(value: readonly unknown[]): value is readonly MatcherLexicon[] {
  return value.length > 0 && typeof value[0] === 'object' && value[0] !== null && 'terms' in value[0];
}

function addTerm(
  entries: Map<string, Entry>,
  censorTargets: (CensorTarget<Variant> & { runs: ArrayLike<number> })[],
  spec: TermSpec,
  lexicon: MatcherLexicon,
  index: number,
  allowed: ReadonlySet<string>,
): boolean {
  const n = normalizeForMatching(spec.term);
  if (n.text.length === 0) return false; // nothing letter-like left to match (e.g. `69`)
  const language = lexicon.language ?? 'en';
  const suffixes = SUFFIXES[language];
  const compound = compoundBits(spec.compound);
  const own = ownFlags(n.flags);
  const base: Variant = {
    term: spec.term,
    runs: n.runs,
    flags: own,
    allow: false,
    joined: false,
    lexicon: index,
    lexiconId: lexicon.id,
    reveal: 0,
    exactRuns: false,
    compound,
    suffixes,
  };
  addVariant(entries, n.text, base);
  if (n.text.includes(' ')) {
    const j = joinWords(n.text, n.runs, own);
    addVariant(entries, j.text, { ...base, runs: j.runs, flags: j.flags, joined: true, compound: 0 });
    return true;
  }
  censorTargets.push({ key: n.text, runs: n.runs, value: base });
  for (const suffix of suffixes) {
    const inflected = normalizeForMatching(spec.term + suffix);
    censorTargets.push({ key: inflected.text, runs: inflected.runs, value: base });
  }
  if (!(spec.variants ?? lexicon.variants ?? false) || allowed.has(n.text)) return true;
  for (const form of phoneticVariants(spec.term, language)) {
    const v = normalizeForMatching(form);
    if (v.text === n.text || form.length < 3 || allowed.has(v.text)) continue;
    addVariant(entries, v.text, { ...base, runs: v.runs, flags: ownFlags(v.flags), reveal: REVEAL.phonetic, exactRuns: true, compound: 0 });
  }
  for (const [left, right] of spacedSplits(n.text)) {
    const split = left.length;
    const runs = Uint16Array.from([...n.runs.subarray(0, split), 0, ...n.runs.subarray(split)]);
    const flags = Uint8Array.from([...own.subarray(0, split), 0, ...own.subarray(split)]);
    addVariant(entries, `${left} ${right}`, { ...base, runs, flags, reveal: REVEAL.spacing, compound: 0 });
  }
  return true;
}

function addAllow(entries: Map<string, Entry>, term: string, lexicon: MatcherLexicon, index: number): void {
  const n = normalizeForMatching(term);
  if (n.text.length === 0) return;
  const own = ownFlags(n.flags);
  const variant: Variant = {
    term,
    runs: n.runs,
    flags: own,
    allow: true,
    joined: false,
    lexicon: index,
    reveal: 0,
    exactRuns: false,
    compound: 0,
    suffixes: SUFFIXES[lexicon.language ?? 'en'],
  };
  addVariant(entries, n.text, variant);
  if (n.text.includes(' ')) {
    const j = joinWords(n.text, n.runs, own);
    addVariant(entries, j.text, { ...variant, runs: j.runs, flags: j.flags, joined: true });
  }
}

function compoundBits(mode: CompoundMode | undefined): number {
  switch (mode) {
    case 'prefix':
      return PREFIX;
    case 'suffix':
      return SUFFIX;
    case 'any':
      return PREFIX | SUFFIX;
    default:
      return 0;
  }
}

/** What the term itself is spelled with (`дурак` is homoglyph-folded too): not a revelation when the post has it. */
function ownFlags(flags: Uint8Array): Uint8Array {
  return flags.map((f) => f & ~(REVEAL.case | SENTENCE_BREAK));
}

/** The form a spaced-out phrase takes once its letters are joined: spaces gone, equal neighbours collapsed. */
function joinWords(text: string, runs: Uint16Array, flags: Uint8Array): { text: string; runs: Uint16Array; flags: Uint8Array } {
  let out = '';
  const outRuns: number[] = [];
  const outFlags: number[] = [];
  let last = -1;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    if (cp === 0x20) {
      i++;
      continue;
    }
    if (cp === last) {
      for (let k = outRuns.length - width; k < outRuns.length; k++) {
        outRuns[k]! += runs[i]!;
        outFlags[k]! |= flags[i]!;
      }
    } else {
      out += text.slice(i, i + width);
      for (let k = 0; k < width; k++) {
        outRuns.push(runs[i + k]!);
        outFlags.push(flags[i + k]!);
      }
    }
    last = cp;
    i += width;
  }
  return { text: out, runs: Uint16Array.from(outRuns), flags: Uint8Array.from(outFlags) };
}

function addVariant(entries: Map<string, Entry>, key: string, variant: Variant): void {
  let entry = entries.get(key);
  if (entry === undefined) {
    entry = { variants: [], multiWord: key.includes(' '), endsInE: key.endsWith('e'), sibilant: /(s|x|z|ch|sh)$/.test(key), midWord: false };
    entries.set(key, entry);
  }
  if ((variant.compound & SUFFIX) !== 0) entry.midWord = true;
  const same = entry.variants.find((v) => v.term === variant.term && v.allow === variant.allow && v.lexicon === variant.lexicon && v.joined === variant.joined);
  if (same) {
    // One form reached twice (a term listed twice, or a term and another's variant): keep the plainer reading.
    const compound = same.compound | variant.compound;
    if (variant.reveal < same.reveal) Object.assign(same, variant);
    same.compound = compound;
    return;
  }
  entry.variants.push(variant);
}

/** Validate one automaton match and file it as a hit or an allow-listed region. */
function collect(n: NormalizedText, start: number, end: number, entry: Entry, hits: Candidate[], allowed: Candidate[]): void {
  const text = n.text;
  const atWordStart = start === 0 || text.charCodeAt(start - 1) === SPACE || inSpacedChain(n, start);
  if (!atWordStart && !entry.midWord) return; // the common case: a term inside an ordinary word
  // A term of two or three letters is spelt by chance inside longer spaced-out words (`a f t e r`
  // holds `af`, `c l a s s` holds `ass`): spaced out, it must be the whole chain.
  if (end - start < MIN_CHAIN_PIECE && (inSpacedChain(n, start) || inSpacedChain(n, end))) return;
  if (entry.multiWord && crossesSentence(n, start, end)) {
    if (!entry.variants.some((v) => v.allow)) return;
  }
  let hit = false;
  for (const v of entry.variants) {
    if ((!v.allow && hit) || (!atWordStart && (v.compound & SUFFIX) === 0)) continue;
    if (!v.allow && entry.multiWord && crossesSentence(n, start, end)) continue;
    if (!runsCover(n, start, v) || (v.joined && !allSpacedOut(n, start, end))) continue;
    let wordEnd = inSpacedChain(n, end) ? end : endOfWord(n, end, entry.sibilant || v.suffixes !== SUFFIXES.en ? v.suffixes : EN_NON_SIBILANT, entry.endsInE);
    let reveal = v.reveal;
    // A compound part starts or ends its word, never both at once (`englishtown` holds no `shit`).
    if (wordEnd < 0 && (v.compound & PREFIX) !== 0 && atWordStart) wordEnd = compoundEnd(text, end);
    if (wordEnd < 0) continue;
    let from = start;
    if (!atWordStart) {
      from = wordStart(text, start);
      if (start - from < MIN_COMPOUND_PART) continue;
    }
    if (from !== start || (wordEnd > end && !isInflection(text, end, wordEnd, v.suffixes, entry.endsInE))) reveal |= REVEAL.compound;
    const candidate = { start: from, end: wordEnd, keyLength: end - start, keyStart: start, variant: v, reveal };
    if (v.allow) allowed.push(candidate);
    else {
      hits.push(candidate);
      hit = true;
    }
  }
}

/**
 * Index just past the word that `end` ends, allowing one inflection suffix written plainly
 * (`asses`, not `assess`: the suffix's letters once each, or visibly repeated); -1 when the
 * match ends mid-word.
 */
function endOfWord(n: NormalizedText, end: number, suffixes: readonly string[], endsInE: boolean): number {
  if (isBoundary(n.text, end)) return end;
  for (const s of suffixes) if (plainSuffix(n, end, s)) return end + s.length;
  if (endsInE && suffixes.includes('ing')) for (const s of E_SUFFIXES) if (plainSuffix(n, end, s)) return end + s.length;
  return -1;
}

/** `s` ends the word at `end`, each letter written once. (A function, not a closure: `find` calls this for every candidate.) */
function plainSuffix(n: NormalizedText, end: number, s: string): boolean {
  return n.text.startsWith(s, end) && isBoundary(n.text, end + s.length) && singleRuns(n, end, end + s.length);
}

function singleRuns(n: NormalizedText, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (n.runs[i] === 2) return false;
  return true;
}

/** Between two letters of one spaced-out chain (`a s h i t` → `ashit`), every letter may start or end a word. */
function inSpacedChain(n: NormalizedText, at: number): boolean {
  return at > 0 && at < n.text.length && (n.flags[at - 1]! & n.flags[at]! & REVEAL.separators) !== 0;
}

function isInflection(text: string, end: number, wordEnd: number, suffixes: readonly string[], endsInE: boolean): boolean {
  const tail = text.slice(end, wordEnd);
  return suffixes.includes(tail) || (endsInE && (E_SUFFIXES as readonly string[]).includes(tail));
}

/** End of a compound's word when enough letters follow the term in it; -1 otherwise. */
function compoundEnd(text: string, end: number): number {
  let i = end;
  while (i < text.length && text.charCodeAt(i) !== SPACE) i++;
  return i - end >= MIN_COMPOUND_PART ? i : -1;
}

function wordStart(text: string, at: number): number {
  let i = at;
  while (i > 0 && text.charCodeAt(i - 1) !== SPACE) i--;
  return i;
}

function isBoundary(text: string, i: number): boolean {
  return i === text.length || text.charCodeAt(i) === SPACE;
}

/**
 * Each matched letter written as many times as the term spells it, or visibly repeated
 * (three times or more, `fuuuck`): a doubled consonant is spelling, not an evasion
 * (`cook` is not `cok`, `putted` is not `pute`, `fodder` is not `foder`). A term (not a
 * generated form) may have a vowel doubled (`fuuck`), and its last consonant doubled
 * before a suffix (`bullshitting`).
 */
function runsCover(n: NormalizedText, start: number, v: Variant): boolean {
  const last = v.runs.length - 1;
  for (let i = 0; i <= last; i++) {
    const written = n.runs[start + i]!;
    const want = v.runs[i]!;
    if (written === want || (written >= 3 && written > want)) continue;
    if (written !== 2 || want !== 1 || v.exactRuns) return false;
    const at = start + i;
    if (VOWEL.has(n.text.charCodeAt(at))) continue;
    if (i === last && at + 1 < n.text.length && n.text.charCodeAt(at + 1) !== SPACE) continue;
    return false;
  }
  return true;
}

/** Letters a term needs to be matched as a piece of a longer spaced-out chain. */
const MIN_CHAIN_PIECE = 4;

const VOWEL = new Set([...'aeiouy'].map((c) => c.charCodeAt(0)));

function crossesSentence(n: NormalizedText, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((n.flags[i]! & SENTENCE_BREAK) !== 0) return true;
  return false;
}

function allSpacedOut(n: NormalizedText, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((n.flags[i]! & REVEAL.separators) === 0) return false;
  return true;
}

/**
 * Drop hits inside an allow-listed region of their own lexicon, then keep leftmost-longest
 * non-overlapping ones (linear after sorting).
 */
function select(hits: Candidate[], allowed: Candidate[], lexicons: number): Candidate[] {
  hits.sort((a, b) => a.start - b.start || b.end - a.end || b.keyLength - a.keyLength || a.reveal - b.reveal);
  allowed.sort((a, b) => a.start - b.start);
  const out: Candidate[] = [];
  let last = -1;
  // Furthest end, per lexicon, of the allowed regions starting at or before the current hit.
  const reach = new Int32Array(lexicons).fill(-1);
  let j = 0;
  for (const c of hits) {
    for (; j < allowed.length && allowed[j]!.start <= c.start; j++) {
      const a = allowed[j]!;
      reach[a.variant.lexicon] = Math.max(reach[a.variant.lexicon]!, a.end);
    }
    if (reach[c.variant.lexicon]! >= c.end || c.start < last) continue;
    out.push(c);
    last = c.end;
  }
  return out;
}

function toHit(n: NormalizedText, c: Candidate): LexiconHit {
  const own = c.variant.flags;
  let flags = 0;
  for (let i = c.start; i < c.end; i++) flags |= n.flags[i]! & ~(c.keyStart >= 0 ? (own[i - c.keyStart] ?? 0) : 0);
  flags &= ~SENTENCE_BREAK;
  if ((flags & REVEAL.case) !== 0 && !isMixedCase(n, c.start, c.end)) flags &= ~REVEAL.case;
  flags |= c.reveal;
  const hit: LexiconHit = { term: c.variant.term, start: n.start[c.start]!, end: c.originalEnd ?? n.end[c.end - 1]!, revealed_by: revelationsOf(flags) };
  if (c.variant.lexiconId !== undefined) hit.lexicon = c.variant.lexiconId;
  return hit;
}

/** `FUCK` and `Fuck` are ordinary writing; only `fUcK`-style case is worth reporting. */
function isMixedCase(n: NormalizedText, start: number, end: number): boolean {
  let wordStart = start;
  for (let i = start; i <= end; i++) {
    if (i < end && n.text.charCodeAt(i) !== SPACE) continue;
    let upper = 0;
    for (let j = wordStart + 1; j < i; j++) if ((n.flags[j]! & REVEAL.case) !== 0) upper++;
    if (upper > 0 && upper < i - wordStart - 1) return true;
    wordStart = i + 1;
  }
  return false;
}
