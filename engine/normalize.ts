/**
 * Evasion-resistant matching view of a post: folds accents, invisible
 * characters, homoglyphs, leetspeak, spaced-out letters and repeated letters,
 * while keeping, per output char, where it came from in the original text so
 * that findings point at what the author actually wrote.
 */
import { createRequire } from 'node:module';
import type { Revelation } from './decision.js';
import { decorativeLetter } from './letterforms.js';

export interface NormalizedText {
  /** Matching view: lowercased letters; each run of non-letters is ONE space; repeats collapsed; no leading/trailing space. */
  text: string;
  /** Per UTF-16 unit of `text`: start offset (UTF-16) in the original post text. */
  start: Int32Array;
  /** Per UTF-16 unit of `text`: end offset (exclusive) in the original post text. */
  end: Int32Array;
  /** Per UTF-16 unit of `text`: how many original letters were collapsed into it (≥ 1; 0 for spaces). */
  runs: Uint16Array;
  /** Per UTF-16 unit of `text`: bitmask of REVEAL bits (letters) or SENTENCE_BREAK (spaces). */
  flags: Uint8Array;
  /**
   * Self-censoring symbols written against letters (`f*ck`, `a**hole`, `f***`), in text
   * order; absent when there are none. In `text` they are ordinary word breaks.
   */
  censors?: CensorRun[];
}

/** A run of censoring symbols (`*`, `#`, `…`, …) inside or at the end of a word. */
export interface CensorRun {
  /** Index in `text`: the space that stands for the run, or the word's end for a trailing run. */
  at: number;
  /** Letters the run may stand for at most (`…` counts three). */
  count: number;
  /** True when letters follow the run in the same word (`f*ck`); false for `f***`. */
  inner: boolean;
  /** [start, end) of the symbols in the original text. */
  start: number;
  end: number;
}

/**
 * One bit per revelation. The first seven are per-char bits of `NormalizedText.flags`;
 * the others (≥ 256) are set by the lexicon matcher on a hit, never on a char.
 */
export const REVEAL = {
  accent: 1,
  'zero-width': 2,
  homoglyph: 4,
  leetspeak: 8,
  repeats: 16,
  separators: 32,
  case: 64,
  self_censoring: 256,
  phonetic: 512,
  spacing: 1024,
  compound: 2048,
} as const satisfies Record<Revelation, number>;

/**
 * Set on a space whose original non-letters hold a line break, or sentence
 * punctuation next to whitespace: multi-word phrases must not match across it.
 */
export const SENTENCE_BREAK = 128;

const REVELATIONS = Object.keys(REVEAL) as Revelation[];

export function revelationsOf(flags: number): Revelation[] {
  const out: Revelation[] = [];
  for (const r of REVELATIONS) if ((flags & REVEAL[r]) !== 0) out.push(r);
  return out;
}

// ---------------------------------------------------------------------------
// Per-code-point tables (built once; non-ASCII results cached lazily).

const LETTER = 1;
const OTHER = 2;
const SPACE = 3;
const SKIP = 4; // a separator removed by joining spaced-out letters
const CENSOR = 5; // a self-censoring symbol against a letter: a word break that remembers it

const KEEP = 0;
const DROP = 1; // invisible: removed, word not split
const MARK = 2; // combining mark: absorbed into the previous char

interface CpInfo {
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
// An ASCII char is always one kept unit: `expand` reads these instead of its CpInfo.
const ASCII_UNIT = Uint8Array.from(ASCII_INFO, (info) => info.units[0]!);
const ASCII_KIND = Uint8Array.from(ASCII_INFO, (info) => info.kinds[0]!);
const ASCII_FLAGS = Uint8Array.from(ASCII_INFO, (info) => info.flags);
const INFO_CACHE = new Map<number, CpInfo>();
const INFO_CACHE_LIMIT = 65_536; // bounds memory against posts made of ever-new code points

function infoOf(cp: number): CpInfo {
  if (cp < 128) return ASCII_INFO[cp]!;
  let info = INFO_CACHE.get(cp);
  if (info === undefined) {
    info = buildInfo(cp);
    if (INFO_CACHE.size < INFO_CACHE_LIMIT) INFO_CACHE.set(cp, info);
  }
  return info;
}

/** Leetspeak digit/symbol → letter; negative = only when a letter follows (`sh!t`, `@ss`, not `shit!`). */
const LEET = new Int32Array(128);
for (const [from, to] of Object.entries({ 0: 'o', 1: 'i', 3: 'e', 4: 'a', 5: 's', 7: 't', 8: 'b', 9: 'g', $: 's' })) {
  LEET[from.charCodeAt(0)] = to.charCodeAt(0);
}
LEET['@'.charCodeAt(0)] = -'a'.charCodeAt(0);
LEET['!'.charCodeAt(0)] = -'i'.charCodeAt(0);

const SEPARATORS = new Set([...' .-_*,/|~+'].map((c) => c.charCodeAt(0)));
/**
 * Symbols that stand for letters when written against them (`f*ck`, `sh#t`, `a**hole`,
 * `f***`, `motherf…ing`); `…` stands for up to three. Apostrophes, dots and slashes are not
 * among them (`don't`, `e.g`, `and/or`), and `&` only beside another symbol (`f%&k`, not `AT&T`).
 */
const CENSOR_WIDTH = new Map<number, number>([
  ...[...'*#%?_-^~@!$&\u2022\u00b7\u2217\u2731\u2605\u2606\u2013\u2014\u2012'].map((c): [number, number] => [c.charCodeAt(0), 1]),
  [0x2026, 3], // …
]);
/** At a word's end only these censor (`f***`, `sh#`); `!`, `?`, `-`, `…` there are punctuation (`wh…`, `fun!`). */
const TRAILING_CENSORS = new Set([...'*#_\u2022\u2217\u2731\u2605\u2606'].map((c) => c.charCodeAt(0)));
const BREAK_PUNCTUATION = new Set([...'.!?;:,\u3002'].map((c) => c.charCodeAt(0)));
const ELLIPSIS = 0x2026;
const AMPERSAND = 0x26;
const LINE_BREAKS = new Set([10, 11, 12, 13, 0x85, 0x2028, 0x2029]);
const ASCII_BREAK = Uint8Array.from({ length: 128 }, (_, cp) => lookUpBreakBits(cp));

/** What a non-letter adds to its space: 1 sentence punctuation, 4 line break (whitespace, 2, comes from its kind). */
function breakBitsOf(cp: number): number {
  return cp < 128 ? ASCII_BREAK[cp]! : lookUpBreakBits(cp); // a table, not two Set lookups, for ASCII
}

function lookUpBreakBits(cp: number): number {
  return (BREAK_PUNCTUATION.has(cp) ? 1 : 0) | (LINE_BREAKS.has(cp) ? 4 : 0);
}

// ---------------------------------------------------------------------------
// Scratch buffers reused across calls (single-threaded; results are copied out).

class Scratch {
  cp = new Int32Array(512);
  st = new Int32Array(512);
  en = new Int32Array(512);
  kind = new Uint8Array(512);
  fl = new Uint8Array(512);

  ensure(n: number): void {
    if (n <= this.cp.length) return;
    const size = Math.max(n, this.cp.length * 2);
    this.cp = grow(this.cp, new Int32Array(size));
    this.st = grow(this.st, new Int32Array(size));
    this.en = grow(this.en, new Int32Array(size));
    this.kind = grow(this.kind, new Uint8Array(size));
    this.fl = grow(this.fl, new Uint8Array(size));
  }
}

function grow<T extends Int32Array | Uint8Array | Uint16Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

const units = new Scratch();

// ---------------------------------------------------------------------------
// Pipeline.

export function normalizeForMatching(text: string): NormalizedText {
  const n = expand(text);
  applyLeetspeak(n);
  markCensors(n, text);
  joinSpacedLetters(n);
  return collapse(n);
}

/** Same pipeline for a lexicon term, so terms and posts meet in one form. */
export function normalizeTerm(term: string): { text: string; runs: number[] } {
  const n = normalizeForMatching(term);
  return { text: n.text, runs: Array.from(n.runs) };
}

/** Code points → units (accents, invisibles, homoglyphs, case folded). Returns the unit count. */
function expand(text: string): number {
  const u = units;
  u.ensure(text.length + 8);
  let n = 0;
  let pendingInvisible = false;
  let prevFirst = -1; // first unit of the previous kept code point
  for (let i = 0; i < text.length; ) {
    let cp = text.charCodeAt(i);
    if (cp < 128) {
      if (n === u.cp.length) u.ensure(n + 1);
      const kind = ASCII_KIND[cp]!;
      const zw = pendingInvisible && n > 0 && u.kind[n - 1] === LETTER && kind !== SPACE;
      prevFirst = n;
      u.cp[n] = ASCII_UNIT[cp]!;
      u.kind[n] = kind;
      u.st[n] = i;
      u.en[n] = i + 1;
      u.fl[n] = ASCII_FLAGS[cp]! | (zw ? REVEAL['zero-width'] : 0);
      n++;
      pendingInvisible = false;
      i++;
      continue;
    }
    let width = 1;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    const info = infoOf(cp);
    if (info.action === DROP) {
      pendingInvisible = true;
    } else if (info.action === MARK) {
      for (let k = prevFirst; prevFirst >= 0 && k < n; k++) {
        u.en[k] = i + width;
        if (u.kind[k] === LETTER) u.fl[k] |= REVEAL.accent;
      }
    } else {
      u.ensure(n + info.units.length);
      // An invisible char only reveals something when it sat inside a word (not after an emoji's U+FE0F).
      const zw = pendingInvisible && n > 0 && u.kind[n - 1] === LETTER && info.kinds[0] !== SPACE;
      prevFirst = n;
      for (let k = 0; k < info.units.length; k++, n++) {
        u.cp[n] = info.units[k]!;
        u.kind[n] = info.kinds[k]!;
        u.st[n] = i;
        u.en[n] = i + width;
        u.fl[n] = info.flags | (zw ? REVEAL['zero-width'] : 0);
      }
      pendingInvisible = false;
    }
    i += width;
  }
  return n;
}

/** Inside whitespace-delimited tokens that hold a real letter, map leet digits/symbols to letters. */
function applyLeetspeak(n: number): void {
  const u = units;
  let i = 0;
  while (i < n) {
    if (u.kind[i] === SPACE) {
      i++;
      continue;
    }
    let end = i;
    let hasLetter = false;
    let hasLeet = false; // most words hold no leet char: skip the two passes below
    for (; end < n && u.kind[end] !== SPACE; end++) {
      if (u.kind[end] === LETTER) hasLetter = true;
      else if (u.cp[end]! < 128 && LEET[u.cp[end]!] !== 0) hasLeet = true;
    }
    // Unconditional digits and `$` first, so that `@$$` and `sh!7` see letters after `@` and `!`.
    if (hasLetter && hasLeet && !isOrdinal(i, end)) for (let pass = 0; pass < 2; pass++) for (let k = i; k < end; k++) leetAt(k, end, pass === 0);
    i = end;
  }
}

/** Digits and then st, nd, rd, th or s, punctuation after: `71st`, `4th,`, `1990s`: a number, not leetspeak. */
function isOrdinal(from: number, to: number): boolean {
  const u = units;
  let k = from;
  while (k < to && isAsciiDigit(u.cp[k]!)) k++;
  if (k === from) return false;
  let letters = '';
  for (; k < to && u.kind[k] === LETTER && letters.length < 3; k++) letters += String.fromCharCode(u.cp[k]! | 0x20);
  if (!ORDINAL_SUFFIXES.has(letters)) return false;
  for (; k < to; k++) if (u.kind[k] === LETTER || isAsciiDigit(u.cp[k]!)) return false;
  return true;
}

const isAsciiDigit = (c: number): boolean => c >= 48 && c <= 57;

const ORDINAL_SUFFIXES = new Set(['st', 'nd', 'rd', 'th', 's']);

function leetAt(k: number, tokenEnd: number, unconditional: boolean): void {
  const u = units;
  const cp = u.cp[k]!;
  if (u.kind[k] !== OTHER || cp >= 128) return;
  let to = LEET[cp]!;
  if (unconditional !== to > 0) return;
  if (to < 0) to = k + 1 < tokenEnd && u.kind[k + 1] === LETTER ? -to : 0;
  if (to === 0) return;
  u.cp[k] = to;
  u.kind[k] = LETTER;
  u.fl[k] |= REVEAL.leetspeak;
}

/**
 * Runs of censoring symbols written against a letter (no whitespace between) become
 * CENSOR units: inside a word (`f*ck`) or at its end (`f***`). A run before a word's
 * first letter is not one (`*it*` is emphasis; `**note**` is Markdown).
 */
function markCensors(n: number, text: string): void {
  const u = units;
  let k = 0;
  while (k < n) {
    if (u.kind[k] !== OTHER || !CENSOR_WIDTH.has(u.cp[k]!)) {
      k++;
      continue;
    }
    let end = k;
    while (end < n && u.kind[end] === OTHER && CENSOR_WIDTH.has(u.cp[end]!)) end++;
    if (k > 0 && u.kind[k - 1] === LETTER && !(end - k === 1 && isAbbreviationJoint(text, n, k))) {
      for (let j = k; j < end; j++) u.kind[j] = CENSOR;
    }
    k = end;
  }
}

/**
 * One symbol that joins rather than censors: a lone `&` (`AT&T`, `T&Cs`), one symbol between
 * two capitals that stand alone (`J-R`, `P&P`, `S*S`), which are abbreviations, or one symbol
 * next to a digit as written (`4-H`, `$28-35`, `B-52`): codes and ranges, not a censored word
 * (the digit would have to be leetspeak and the symbol a censor at once).
 */
function isAbbreviationJoint(text: string, n: number, k: number): boolean {
  if (units.cp[k] === AMPERSAND) return true;
  if (writtenAs(text, k - 1, DIGITS) || (k + 1 < n && writtenAs(text, k + 1, DIGITS))) return true;
  return writtenAs(text, k - 1, CAPITALS) && !isLetterUnit(n, k - 2) && isLetterUnit(n, k + 1) && writtenAs(text, k + 1, CAPITALS) && !isLetterUnit(n, k + 2);
}

const DIGITS = [48, 57] as const;
const CAPITALS = [65, 90] as const;

/** Unit i is one ASCII char of `range` as written (hyphenated words reach here often: no closures). */
function writtenAs(text: string, i: number, range: readonly [number, number]): boolean {
  if (i < 0) return false;
  const c = text.charCodeAt(units.st[i]!);
  return c >= range[0] && c <= range[1] && units.en[i]! - units.st[i]! === 1;
}

function isLetterUnit(n: number, i: number): boolean {
  return i >= 0 && i < n && units.kind[i] === LETTER;
}

/** `f u c k`, `f.u.c.k`: chains of ≥ 3 single letters, one separator apart, become one word. */
function joinSpacedLetters(n: number): void {
  const u = units;
  let i = 0;
  while (i < n) {
    if (!single(i, n)) {
      i++;
      continue;
    }
    // Spaces and punctuation do not mix in one chain: in `a s-h-i-t` the word `a` stays out,
    // while `s_h*i|t` still joins.
    const spaced = u.cp[i + 1] === 0x20;
    let last = i;
    let count = 1;
    while (
      last + 2 < n &&
      u.kind[last + 1] !== LETTER &&
      SEPARATORS.has(u.cp[last + 1]!) &&
      (u.cp[last + 1] === 0x20) === spaced &&
      single(last + 2, n)
    ) {
      last += 2;
      count++;
    }
    if (count < 3) {
      i++;
      continue;
    }
    for (let k = i; k <= last; k++) {
      if (u.kind[k] === LETTER) u.fl[k] |= REVEAL.separators;
      else u.kind[k] = SKIP;
    }
    i = last + 1;
  }
}

/** A letter standing alone between non-letters. */
function single(k: number, n: number): boolean {
  const kind = units.kind;
  return kind[k] === LETTER && (k === 0 || kind[k - 1] !== LETTER) && (k === n - 1 || kind[k + 1] !== LETTER);
}

class Output {
  code = new Uint16Array(512);
  st = new Int32Array(512);
  en = new Int32Array(512);
  runs = new Uint16Array(512);
  fl = new Uint8Array(512);

  ensure(m: number): void {
    if (m <= this.code.length) return;
    const size = Math.max(m, this.code.length * 2);
    this.code = grow(this.code, new Uint16Array(size));
    this.st = grow(this.st, new Int32Array(size));
    this.en = grow(this.en, new Int32Array(size));
    this.runs = grow(this.runs, new Uint16Array(size));
    this.fl = grow(this.fl, new Uint8Array(size));
  }
}

const output = new Output();

/** Units → matching view: non-letter runs become one space, identical letters collapse into runs. */
function collapse(n: number): NormalizedText {
  const u = units;
  const o = output;
  o.ensure(2 * n + 1);
  let m = 0;
  let lastCp = -1; // code point of the last output letter, -1 after a space
  let width = 0; // UTF-16 width of the last output letter
  let breakBits = 0; // 1 punctuation, 2 whitespace, 4 line break in the current non-letter run
  let censors: CensorRun[] | undefined;
  let censor: CensorRun | undefined; // the run being read, right after a letter
  let trailingOk = false; // every symbol of `censor` may censor at a word's end
  for (let k = 0; k < n; k++) {
    const kind = u.kind[k]!;
    if (kind === SKIP) continue;
    const cp = u.cp[k]!;
    if (censor !== undefined && kind !== CENSOR) {
      censor.inner = kind === LETTER;
      if (censor.inner || trailingOk) (censors ??= []).push(censor);
      censor = undefined;
    }
    if (kind === CENSOR && (censor !== undefined || lastCp !== -1)) {
      if (censor === undefined) {
        censor = { at: m, count: 0, inner: false, start: u.st[k]!, end: u.en[k]! };
        trailingOk = true;
      }
      censor.count += CENSOR_WIDTH.get(cp) ?? 1;
      censor.end = u.en[k]!;
      trailingOk &&= TRAILING_CENSORS.has(cp);
    }
    if (kind !== LETTER) {
      if (lastCp !== -1 || m === 0) {
        breakBits = 0;
        if (m === 0) continue; // no leading space
        o.code[m] = 0x20;
        o.st[m] = u.st[k]!;
        o.runs[m] = 0;
        o.fl[m] = 0;
        m++;
        lastCp = -1;
      }
      o.en[m - 1] = u.en[k]!;
      breakBits |= breakBitsOf(cp) | (kind === SPACE ? 2 : 0);
      if (breakBits >= 4 || breakBits === 3) o.fl[m - 1] = SENTENCE_BREAK;
      continue;
    }
    if (cp === lastCp) {
      for (let j = m - width; j < m; j++) {
        o.en[j] = u.en[k]!;
        if (o.runs[j]! < 0xffff) o.runs[j]!++;
        o.fl[j] |= u.fl[k]! | (o.runs[j]! > 2 ? REVEAL.repeats : 0);
      }
      continue;
    }
    width = cp > 0xffff ? 2 : 1;
    for (let j = 0; j < width; j++, m++) {
      o.code[m] = width === 1 ? cp : j === 0 ? 0xd800 + ((cp - 0x10000) >> 10) : 0xdc00 + ((cp - 0x10000) & 0x3ff);
      o.st[m] = u.st[k]!;
      o.en[m] = u.en[k]!;
      o.runs[m] = 1;
      o.fl[m] = u.fl[k]!;
    }
    lastCp = cp;
  }
  if (censor !== undefined && trailingOk) (censors ??= []).push(censor);
  if (m > 0 && lastCp === -1) m--; // no trailing space
  // One buffer for the four arrays: one allocation, not four.
  const buffer = new ArrayBuffer(11 * m);
  const out: NormalizedText = {
    text: decode(o.code, m),
    start: copy(o.st, new Int32Array(buffer, 0, m)),
    end: copy(o.en, new Int32Array(buffer, 4 * m, m)),
    runs: copy(o.runs, new Uint16Array(buffer, 8 * m, m)),
    flags: copy(o.fl, new Uint8Array(buffer, 10 * m, m)),
  };
  if (censors !== undefined) out.censors = censors;
  return out;
}

function copy<T extends Int32Array | Uint16Array | Uint8Array>(from: T, to: T): T {
  to.set(from.subarray(0, to.length));
  return to;
}

function decode(code: Uint16Array, m: number): string {
  let s = '';
  for (let i = 0; i < m; i += 4096) {
    s += String.fromCharCode.apply(null, code.subarray(i, Math.min(m, i + 4096)) as unknown as number[]);
  }
  return s;
}
