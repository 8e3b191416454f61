/**
 * What each code point is to the matching view, looked up once per char: letter, space or other,
 * what it folds to (accents, homoglyphs, case), and the tables of leetspeak, separators,
 * censoring symbols and sentence breaks that the passes over a post's units consult.
 */
import { createRequire } from 'node:module';
import { decorativeLetter } from '../letterforms.js';
import { REVEAL } from './revelations.js';

export const LETTER = 1;
export const OTHER = 2;
export const SPACE = 3;
export const SKIP = 4; // a separator removed by joining spaced-out letters
export const CENSOR = 5; // a self-censoring symbol against a letter: a word break that remembers it

const KEEP = 0;
export const DROP = 1; // invisible: removed, word not split
export const MARK = 2; // combining mark: absorbed into the previous char

export interface CpInfo {
  action: number;
  units: number[]; // output code points
  kinds: number[]; // LETTER / OTHER / SPACE per unit
  flags: number;
}

const INVISIBLE_RE = /^[\p{Cf}\p{Default_Ignorable_Code_Point}]$/u;
const MARK_RE = /^\p{M}$/u;
const HAS_MARK_RE = /\p{M}/u;
const MARKS_RE = /\p{M}/gu;
const LETTER_RE = /^\p{L}$/u;
const SPACE_RE = /^\s$/u;
const HOMOGLYPH_SOURCE_RE = /^[\p{L}\p{So}]$/u;
const ASCII_WORD_RE = /^[a-z]+$/;
const LETTER_ANY_RE = /\p{L}/u;
const NOT_LETTER_RE = /[^\p{L}\p{M}\s]/gu;

const require = createRequire(import.meta.url);
const CONFUSABLES: Readonly<Record<string, string>> = require('unhomoglyph/data.json');

const DROP_INFO: CpInfo = { action: DROP, units: [], kinds: [], flags: 0 };
const MARK_INFO: CpInfo = { action: MARK, units: [], kinds: [], flags: REVEAL.accent };

function kindOf(ch: string): number {
  if (LETTER_RE.test(ch)) return LETTER;
  return SPACE_RE.test(ch) ? SPACE : OTHER;
}

function stripMarks(s: string): string {
  return HAS_MARK_RE.test(s) ? s.replace(MARKS_RE, '') : s;
}

/** One confusables step over non-ASCII chars only (the data maps ASCII `l`→`I`, which we must not do). */
function confusableStep(s: string): string {
  let out = '';
  for (const c of s) out += c.charCodeAt(0) > 127 ? (CONFUSABLES[c] ?? c) : c;
  return stripMarks(out.normalize('NFKD'));
}

/** Latin a–z reading of a non-ASCII char, or undefined when it has none. */
function homoglyphOf(ch: string): string | undefined {
  // The data maps some lowercase letters to small capitals (т→ᴛ) but their capitals to ASCII (Т→T): try both.
  for (const candidate of [ch, ch.toUpperCase()]) {
    let s = candidate;
    for (let i = 0; i < 4; i++) {
      const next = confusableStep(s);
      if (next === s) break;
      s = next;
    }
    s = stripMarks(s.toLowerCase().normalize('NFKD'));
    if (ASCII_WORD_RE.test(s)) return s;
  }
  return undefined;
}

function buildInfo(cp: number): CpInfo {
  if (cp >= 0xd800 && cp <= 0xdfff) return { action: KEEP, units: [cp], kinds: [OTHER], flags: 0 }; // lone surrogate
  const ch = String.fromCodePoint(cp);
  if (INVISIBLE_RE.test(ch)) return DROP_INFO;
  if (cp === ELLIPSIS) return { action: KEEP, units: [cp], kinds: [OTHER], flags: 0 }; // one censoring symbol, not NFKD's "..."

  if (MARK_RE.test(ch)) return MARK_INFO;
  const decorative = decorativeLetter(cp);
  if (decorative !== undefined) {
    return { action: KEEP, units: [decorative.charCodeAt(0)], kinds: [LETTER], flags: REVEAL.homoglyph };
  }
  const canonical = ch.normalize('NFD');
  let compat = ch.normalize('NFKD');
  let flags = 0;
  if (HAS_MARK_RE.test(canonical)) flags |= REVEAL.accent;
  if (compat !== canonical) {
    flags |= REVEAL.homoglyph; // fullwidth, ligatures, math letters
    // Parenthesised and full-stop letters (⒡ → "(f)", 🄕 → "(F)") are one letter, not a word in brackets.
    if (LETTER_ANY_RE.test(compat)) compat = compat.replace(NOT_LETTER_RE, '');
  }
  const base = stripMarks(compat);
  if (base.toLowerCase() !== base) flags |= REVEAL.case;
  const lower = stripMarks(base.toLowerCase().normalize('NFKD'));
  const units: number[] = [];
  const kinds: number[] = [];
  for (const c of lower) {
    const code = c.codePointAt(0)!;
    if (INVISIBLE_RE.test(c)) continue;
    const latin = code > 127 && HOMOGLYPH_SOURCE_RE.test(c) ? (homoglyphOf(c) ?? decorativeLetter(code)) : undefined;
    if (latin === undefined) {
      units.push(code);
      kinds.push(kindOf(c));
      continue;
    }
    flags |= REVEAL.homoglyph;
    for (let i = 0; i < latin.length; i++) {
      units.push(latin.charCodeAt(i));
      kinds.push(LETTER);
    }
  }
  return units.length === 0 ? DROP_INFO : { action: KEEP, units, kinds, flags };
}

function buildAsciiInfo(cp: number): CpInfo {
  if (cp >= 65 && cp <= 90) return { action: KEEP, units: [cp + 32], kinds: [LETTER], flags: REVEAL.case };
  const ch = String.fromCharCode(cp);
  return { action: KEEP, units: [cp], kinds: [kindOf(ch)], flags: 0 };
}

const ASCII_INFO: readonly CpInfo[] = Array.from({ length: 128 }, (_, cp) => buildAsciiInfo(cp));
const INFO_CACHE = new Map<number, CpInfo>();
const INFO_CACHE_LIMIT = 65_536; // bounds memory against posts made of ever-new code points

export function infoOf(cp: number): CpInfo {
  if (cp < 128) return ASCII_INFO[cp]!;
  let info = INFO_CACHE.get(cp);
  if (info === undefined) {
    info = buildInfo(cp);
    if (INFO_CACHE.size < INFO_CACHE_LIMIT) INFO_CACHE.set(cp, info);
  }
  return info;
}

/** Leetspeak digit/symbol → letter; negative = only when a letter follows (`sh!t`, `@ss`, not `shit!`). */
export const LEET = new Int32Array(128);
for (const [from, to] of Object.entries({ 0: 'o', 1: 'i', 3: 'e', 4: 'a', 5: 's', 7: 't', 8: 'b', 9: 'g', $: 's' })) {
  LEET[from.charCodeAt(0)] = to.charCodeAt(0);
}
LEET['@'.charCodeAt(0)] = -'a'.charCodeAt(0);
LEET['!'.charCodeAt(0)] = -'i'.charCodeAt(0);

/**
 * Symbols read as a letter only inside a word that then spells a lexicon form (`sh!+`, `fu<k`),
 * never in the matching view: `+` and `<` join words and numbers far more often (`C++`,
 * `like+share`, `i<3`). Rustrict's replacement table (`+` t, `<` c) and pyleetspeak's advanced
 * alphabet both list them. In a post they become CENSOR units that carry the letter.
 */
export const WORD_LEET = new Int32Array(128);
WORD_LEET['+'.charCodeAt(0)] = 't'.charCodeAt(0);
WORD_LEET['<'.charCodeAt(0)] = 'c'.charCodeAt(0);

/**
 * Leetspeak written with two or more symbols per letter (`|3!tch`, `|<ill`, `c()ck`, `\/`),
 * from pyleetspeak's intermediate and advanced alphabets (sourced from Fuchs 2013, Blashki &
 * Nichol 2005, Craenen's cheat sheet), keeping the ones that no ordinary word, number, URL or
 * emoticon is written with: `()` and `(_)` (parentheses) only between letters; the rest
 * when a letter is on either side. Longest first, so `\/\/` is w before `\/` is v.
 */
export const LEET_SEQUENCES: readonly (readonly [string, string])[] = [
  ['|\\/|', 'm'],
  ['/\\/\\', 'm'],
  ['\\/\\/', 'w'],
  ['|\\|', 'n'],
  ['/\\/', 'n'],
  ['|_|', 'u'],
  ['(_)', 'u'],
  ['|-|', 'h'],
  ['|3', 'b'],
  ['|)', 'd'],
  ['|=', 'f'],
  ['|<', 'k'],
  ['|{', 'k'],
  ['|>', 'p'],
  ['|2', 'r'],
  ['\\/', 'v'],
  ['()', 'o'],
];
/** Sequences of parentheses, written between letters only (`print()`, `(_)` are not letters). */
export const ENCLOSED_SEQUENCES = new Set(['()', '(_)']);
/** First chars of LEET_SEQUENCES: the one test a post's units pay. */
export const SEQUENCE_START = Uint8Array.from({ length: 128 }, (_, cp) => (LEET_SEQUENCES.some(([s]) => s.charCodeAt(0) === cp) ? 1 : 0));

export const SEPARATORS = new Set([...' .-_*,/|~+'].map((c) => c.charCodeAt(0)));
/**
 * Symbols that stand for letters when written against them (`f*ck`, `sh#t`, `a**hole`,
 * `f***`, `motherf…ing`); `…` stands for up to three. Apostrophes, dots and slashes are not
 * among them (`don't`, `e.g`, `and/or`), and `&` only beside another symbol (`f%&k`, not `AT&T`).
 */
export const CENSOR_WIDTH = new Map<number, number>([
  ...[...'*#%?_-^~@!$&\u2022\u00b7\u2217\u2731\u2605\u2606\u2013\u2014\u2012'].map((c): [number, number] => [c.charCodeAt(0), 1]),
  [0x2026, 3], // …
]);
/** At a word's end only these censor (`f***`, `sh#`); `!`, `?`, `-`, `…` there are punctuation (`wh…`, `fun!`). */
export const TRAILING_CENSORS = new Set([...'*#_\u2022\u2217\u2731\u2605\u2606'].map((c) => c.charCodeAt(0)));
const BREAK_PUNCTUATION = new Set([...'.!?;:,\u3002'].map((c) => c.charCodeAt(0)));
const ELLIPSIS = 0x2026;
export const AMPERSAND = 0x26;
const LINE_BREAKS = new Set([10, 11, 12, 13, 0x85, 0x2028, 0x2029]);
const ASCII_BREAK = Uint8Array.from({ length: 128 }, (_, cp) => lookUpBreakBits(cp));

/** What a non-letter adds to its space: 1 sentence punctuation, 4 line break (whitespace, 2, comes from its kind). */
export function breakBitsOf(cp: number): number {
  return cp < 128 ? ASCII_BREAK[cp]! : lookUpBreakBits(cp); // a table, not two Set lookups, for ASCII
}

function lookUpBreakBits(cp: number): number {
  return (BREAK_PUNCTUATION.has(cp) ? 1 : 0) | (LINE_BREAKS.has(cp) ? 4 : 0);
}

/**
 * What a unit may give the passes of evasions.ts to do, noted by `expand` so that a post with
 * none skips those passes: a leetspeak symbol or a sequence's first (applyLeetspeak), a
 * censoring symbol (markCensors, which marks only a run that follows a letter).
 */
export const LEET_CANDIDATE = 1;
export const CENSOR_CANDIDATE = 2;

/**
 * An ASCII char is always one kept unit: `expand` reads it from one table instead of its CpInfo,
 * packed as unit | kind << 8 | flags << 16 | candidates << 24 (one read a char, not four).
 */
export const ASCII_UNITS = Int32Array.from(ASCII_INFO, (info) => {
  const candidates = info.kinds[0] === OTHER ? candidatesOf(info.units[0]!) : 0;
  return info.units[0]! | (info.kinds[0]! << 8) | (info.flags << 16) | (candidates << 24);
});

/** The candidate bits of a non-letter unit. */
export function candidatesOf(cp: number): number {
  const leet = cp < 128 && (LEET[cp] !== 0 || SEQUENCE_START[cp] !== 0) ? LEET_CANDIDATE : 0;
  const censor = CENSOR_WIDTH.has(cp) || (cp < 128 && WORD_LEET[cp] !== 0) ? CENSOR_CANDIDATE : 0;
  return leet | censor;
}
