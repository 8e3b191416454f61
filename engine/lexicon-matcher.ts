/**
 * One-pass lexicon matching over the normalised view of a post: one
 * Aho–Corasick automaton over the collapsed forms of all terms (and allow
 * terms), whole-word checks with a few inflection suffixes, and run
 * verification so that collapsing repeats never invents a match (`as` ≠ `ass`).
 */
import AhoCorasick from 'modern-ahocorasick';
import type { Revelation } from './decision.js';
import { type NormalizedText, normalizeForMatching, REVEAL, revelationsOf, SENTENCE_BREAK } from './normalize.js';

export interface LexiconHit {
  /** The lexicon term as written in the lexicon. */
  term: string;
  /** [start, end) in UTF-16 units of the original post text. */
  start: number;
  end: number;
  revealed_by: Revelation[];
}

interface Variant {
  term: string;
  runs: Uint16Array;
  /** Per char of the lexicon form: the REVEAL bits the term's own spelling carries. */
  flags: Uint8Array;
  allow: boolean;
  /** A multi-word term with its spaces removed: only valid for spaced-out letters (`k i l l y o u`). */
  joined: boolean;
}

/** All lexicon entries that share one collapsed form. */
interface Entry {
  variants: Variant[];
  multiWord: boolean;
  endsInE: boolean;
}

interface Candidate {
  start: number; // in the normalised text
  end: number; // past the suffix, if any
  keyLength: number; // at equal spans, the longer lexicon form wins (`fucking` over `fuck` + `ing`)
  variant: Variant;
}

const SPACE = 0x20;
const NON_ASCII = /[^\x00-\x7f]/;
const NON_ASCII_ALL = /[^\x00-\x7f]/g;
// Inflections only. Derivations such as -er and -y make new, mostly innocent words
// (butt→butter, spic→spicy, cock→cocky); list the profane ones (fucker, shitty) as terms.
const SUFFIXES = ['s', 'es', 'ed', 'in', 'ing'] as const;
/** After a term ending in `e`, the suffix's own `e` merges (`rape` + `ed` → `raped`). */
const E_SUFFIXES = ['d'] as const;

export class LexiconMatcher {
  /** Number of terms that have a matchable form (terms that normalise to nothing, like `69`, are dropped). */
  readonly size: number;
  readonly #automaton: AhoCorasick<Entry>;
  /** All lexicon forms are ASCII: non-ASCII text can then be masked so the automaton keeps its fast ASCII path. */
  readonly #asciiOnly: boolean;

  constructor(terms: readonly string[], allow: readonly string[] = []) {
    const entries = new Map<string, Entry>();
    let size = 0;
    for (const term of terms) if (addTerm(entries, term, false)) size++;
    for (const term of allow) addTerm(entries, term, true);
    this.size = size;
    this.#automaton = new AhoCorasick([...entries].map(([pattern, data]) => ({ pattern, data })));
    this.#asciiOnly = [...entries.keys()].every((k) => !NON_ASCII.test(k));
  }

  /** Non-overlapping hits, leftmost first, longest at a tie; allow-listed regions suppressed. */
  find(n: NormalizedText): LexiconHit[] {
    if (n.text.length === 0) return [];
    const hits: Candidate[] = [];
    const allowed: Candidate[] = [];
    // Same length, so offsets hold; boundaries are still judged on n.text.
    const scan = this.#asciiOnly && NON_ASCII.test(n.text) ? n.text.replace(NON_ASCII_ALL, '\x01') : n.text;
    for (const m of this.#automaton.iterate(scan)) collect(n, m.start, m.end, m.data!, hits, allowed);
    if (hits.length === 0) return [];
    return select(hits, allowed).map((h) => toHit(n, h));
  }
}

function addTerm(entries: Map<string, Entry>, term: string, allow: boolean): boolean {
  const n = normalizeForMatching(term);
  if (n.text.length === 0) return false; // nothing letter-like left to match (e.g. `69`)
  const own = ownFlags(n.flags);
  addVariant(entries, n.text, { term, runs: n.runs, flags: own, allow, joined: false });
  if (n.text.includes(' ')) {
    const j = joinWords(n.text, n.runs, own);
    addVariant(entries, j.text, { term, runs: j.runs, flags: j.flags, allow, joined: true });
  }
  return true;
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
    entry = { variants: [], multiWord: key.includes(' '), endsInE: key.endsWith('e') };
    entries.set(key, entry);
  }
  entry.variants.push(variant);
}

/** Validate one automaton match and file it as a hit or an allow-listed region. */
function collect(n: NormalizedText, start: number, end: number, entry: Entry, hits: Candidate[], allowed: Candidate[]): void {
  if (start > 0 && n.text.charCodeAt(start - 1) !== SPACE) return;
  const wordEnd = endOfWord(n.text, end, entry.endsInE);
  if (wordEnd < 0) return;
  if (entry.multiWord && crossesSentence(n, start, end)) return;
  let hit = false;
  let allow = false;
  for (const v of entry.variants) {
    if ((v.allow ? allow : hit) || !runsCover(n, start, v) || (v.joined && !allSpacedOut(n, start, end))) continue;
    (v.allow ? allowed : hits).push({ start, end: wordEnd, keyLength: end - start, variant: v });
    if (v.allow) allow = true;
    else hit = true;
  }
}

/** Index just past the word that `end` ends, allowing one inflection suffix; -1 when the match ends mid-word. */
function endOfWord(text: string, end: number, endsInE: boolean): number {
  if (isBoundary(text, end)) return end;
  for (const s of SUFFIXES) if (text.startsWith(s, end) && isBoundary(text, end + s.length)) return end + s.length;
  if (endsInE) for (const s of E_SUFFIXES) if (text.startsWith(s, end) && isBoundary(text, end + s.length)) return end + s.length;
  return -1;
}

function isBoundary(text: string, i: number): boolean {
  return i === text.length || text.charCodeAt(i) === SPACE;
}

/** Each matched letter must have been written at least as many times as the term spells it. */
function runsCover(n: NormalizedText, start: number, v: Variant): boolean {
  for (let i = 0; i < v.runs.length; i++) if (n.runs[start + i]! < v.runs[i]!) return false;
  return true;
}

function crossesSentence(n: NormalizedText, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((n.flags[i]! & SENTENCE_BREAK) !== 0) return true;
  return false;
}

function allSpacedOut(n: NormalizedText, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((n.flags[i]! & REVEAL.separators) === 0) return false;
  return true;
}

/** Drop hits inside an allow-listed region, then keep leftmost-longest non-overlapping ones (linear after sorting). */
function select(hits: Candidate[], allowed: Candidate[]): Candidate[] {
  hits.sort((a, b) => a.start - b.start || b.end - a.end || b.keyLength - a.keyLength);
  allowed.sort((a, b) => a.start - b.start);
  const out: Candidate[] = [];
  let last = -1;
  let reach = -1; // furthest end of the allowed regions starting at or before the current hit
  let j = 0;
  for (const c of hits) {
    for (; j < allowed.length && allowed[j]!.start <= c.start; j++) reach = Math.max(reach, allowed[j]!.end);
    if (reach >= c.end || c.start < last) continue;
    out.push(c);
    last = c.end;
  }
  return out;
}

function toHit(n: NormalizedText, c: Candidate): LexiconHit {
  const own = c.variant.flags;
  let flags = 0;
  for (let i = c.start; i < c.end; i++) flags |= n.flags[i]! & ~(own[i - c.start] ?? 0);
  flags &= ~SENTENCE_BREAK;
  if ((flags & REVEAL.case) !== 0 && !isMixedCase(n, c.start, c.end)) flags &= ~REVEAL.case;
  return { term: c.variant.term, start: n.start[c.start]!, end: n.end[c.end - 1]!, revealed_by: revelationsOf(flags) };
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
