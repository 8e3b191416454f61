/**
 * A matcher's lexicons as the entries of its automaton: each term's collapsed form, its
 * inflected and generated variants (phonetic respellings, splits across a space, the joined
 * form of a multi-word term) and the allow-list, grouped by the form they share. Built once,
 * when the matcher is.
 */
import { normalizeForMatching } from './normalize.js';
import { REVEAL, SENTENCE_BREAK } from './normalize/revelations.js';
import type { CensorTarget } from './lexicon-censored.js';
import type { CompoundMode, MatcherLexicon, TermSpec } from './lexicon-matcher.js';
import { phoneticVariants, spacedSplits, SUFFIXES } from './lexicon-variants.js';

export const PREFIX = 1; // letters may follow the term in its word
export const SUFFIX = 2; // letters may precede it

export interface Variant {
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
export interface Entry {
  variants: Variant[];
  multiWord: boolean;
  endsInE: boolean;
  /** Ends in s, x, z, ch or sh: takes the English plural `es` (`asses`, `bitches`; not `dickes`). */
  sibilant: boolean;
  /** Some variant may end a longer word (`bullshit`): mid-word matches are worth a look. */
  midWord: boolean;
}

export function addTerm(
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
  for (const form of phoneticVariants(leetSpelled(spec.term, n.text, n.runs), language)) {
    const v = normalizeForMatching(form);
    if (v.text === n.text || form.length < 3 || allowed.has(v.text)) continue;
    addVariant(entries, v.text, { ...base, runs: v.runs, flags: ownFlags(v.flags), reveal: REVEAL.phonetic, exactRuns: true, compound: 0 });
  }
  for (const [left, right] of spacedSplits(n.text, language)) {
    // Past the term's own letters (an inflected split, `fuc king`), the suffix is written once.
    const split = left.length;
    const tail = right.length - (n.text.length - split);
    const runs = Uint16Array.from([...n.runs.subarray(0, split), 0, ...n.runs.subarray(split), ...Array<number>(tail).fill(1)]);
    const flags = Uint8Array.from([...own.subarray(0, split), 0, ...own.subarray(split), ...Array<number>(tail).fill(0)]);
    addVariant(entries, `${left} ${right}`, { ...base, runs, flags, reveal: REVEAL.spacing, compound: 0 });
  }
  return true;
}

export function addAllow(entries: Map<string, Entry>, term: string, lexicon: MatcherLexicon, index: number): void {
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

/** A term written with leetspeak digits (`f4ck`) is respelt from its letters (`ph4ck` is `phack`). */
function leetSpelled(term: string, text: string, runs: Uint16Array): string {
  if (!/[0-9]/.test(term)) return term;
  let out = '';
  for (let i = 0; i < text.length; i++) out += text[i]!.repeat(runs[i]!);
  return out;
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
