/**
 * What an automaton match of a lexicon form is worth: checked against word boundaries, each
 * language's inflection suffixes, compounds, spaced-out chains, sentence breaks and the runs of
 * repeated letters, and filed as a candidate hit or an allow-listed region.
 */
import type { NormalizedText } from './normalize.js';
import { REVEAL, SENTENCE_BREAK } from './normalize/revelations.js';
import { PREFIX, SUFFIX, type Entry, type Variant } from './lexicon-entries.js';
import { SUFFIXES } from './lexicon-variants.js';

export interface Candidate {
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

export const SPACE = 0x20;
const EN_NON_SIBILANT = SUFFIXES.en.filter((s) => s !== 'es');
/** After a term ending in `e`, the suffix's own `e` merges (`rape` + `ed` → `raped`). */
const E_SUFFIXES = ['d'] as const;
/** Letters the other part of a compound needs at least (collapsed): `shit` + `show`, not `shit` + `e`. */
const MIN_COMPOUND_PART = 3;
/** The participles written inside a word (tmesis), and the letters of the outer word before one (`un`). */
const INFIXED = ['ing', 'in'] as const;
const MIN_INFIX_OUTER = 2;

/** Validate one automaton match and file it as a hit or an allow-listed region. */
export function collect(n: NormalizedText, start: number, end: number, entry: Entry, hits: Candidate[], allowed: Candidate[]): void {
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
    // Tmesis: a participle of a term that may start or end a word, inside one (`absofuckinglutely`).
    const infix = wordEnd < 0 && !atWordStart && v.compound === (PREFIX | SUFFIX);
    if (infix) wordEnd = infixEnd(n, end);
    if (wordEnd < 0) continue;
    let from = start;
    if (!atWordStart) {
      from = wordStart(text, start);
      if (start - from < (infix ? MIN_INFIX_OUTER : MIN_COMPOUND_PART)) continue;
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

/**
 * End of the word around an infixed expletive (`absofuckinglutely`, `unfuckingbelievable`): the
 * term's participle (`-ing`, `-in`, its letters written once), then at least MIN_COMPOUND_PART
 * letters of the outer word; -1 otherwise. Writers infix the participle only (`absofucklutely` is not read).
 */
function infixEnd(n: NormalizedText, end: number): number {
  // `-ing` when written (`absofuckingly` is not `fuckin` + `gly`), else `-in`.
  const s = INFIXED.find((suffix) => n.text.startsWith(suffix, end));
  if (s === undefined || !singleRuns(n, end, end + s.length)) return -1;
  return compoundEnd(n.text, end + s.length);
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
