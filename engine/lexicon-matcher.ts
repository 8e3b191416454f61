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
import { collect, SPACE, type Candidate } from './lexicon-candidates.js';
import { addAllow, addTerm, type Entry, type Variant } from './lexicon-entries.js';
import type { ScanGroup } from './lexicon-scan-group.js';
import type { Language } from './lexicon-variants.js';

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

export class LexiconMatcher {
  /** Number of terms that have a matchable form (terms that normalise to nothing, like `69`, are dropped). */
  readonly size: number;
  /** Its own automaton, when it is in no scan group (or could not join one). */
  readonly #automaton: KeyScanner<Entry> | undefined;
  readonly #group: ScanGroup | undefined;
  readonly #member: number;
  readonly #censored: CensoredMatcher<Variant> | undefined;
  readonly #context: ContextRules | undefined;
  readonly #lexicons: number;

  constructor(terms: readonly (string | TermSpec)[], allow?: readonly string[]);
  constructor(lexicons: readonly MatcherLexicon[], group?: ScanGroup);
  constructor(termsOrLexicons: readonly (string | TermSpec)[] | readonly MatcherLexicon[], allowOrGroup?: readonly string[] | ScanGroup) {
    const allow: readonly string[] = Array.isArray(allowOrGroup) ? allowOrGroup : [];
    const group = Array.isArray(allowOrGroup) ? undefined : (allowOrGroup as ScanGroup | undefined);
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
    this.#member = group ? group.add(entries) : -1;
    this.#group = this.#member >= 0 ? group : undefined;
    this.#automaton = this.#group ? undefined : keyScanner([...entries]);
    this.#censored = censorTargets.length > 0 ? new CensoredMatcher(censorTargets, (v) => v.compound) : undefined;
    const context = lexicons.map((l) => l.context ?? []);
    this.#context = context.some((c) => c.length > 0) ? new ContextRules(context) : undefined;
  }

  /** Non-overlapping hits, leftmost first, longest at a tie; allow-listed regions and benign contexts suppressed. */
  find(n: NormalizedText): LexiconHit[] {
    if (n.text.length === 0) return [];
    const hits: Candidate[] = [];
    const allowed: Candidate[] = [];
    const visit = (start: number, end: number, entry: Entry): void => collect(n, start, end, entry, hits, allowed);
    if (this.#group) this.#group.forEachMatch(this.#member, n.text, visit);
    else this.#automaton!.forEachMatch(n.text, visit);
    if (this.#censored && n.censors) {
      for (const c of this.#censored.find(n)) {
        hits.push({ start: c.start, end: c.end, keyLength: c.end - c.start, keyStart: -1, variant: c.value, reveal: c.reveal, originalEnd: c.originalEnd });
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
