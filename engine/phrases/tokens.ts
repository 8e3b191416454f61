/**
 * Word tokens of a post for phrase rules: the words of the matching view
 * (engine/normalize.ts, so evasions and homoglyphs are already folded), plus
 * the things the view drops but scams are made of — numbers, amounts of money
 * and links — as single tokens of a class (`$NUMBER`, `$MONEY`, `$URL`; a plain four-digit
 * 1900–2099 is also a `$YEAR`, so "in $YEAR" can say "in the past" where "in $NUMBER" would also
 * read "in 3 days"), the laughing emoji as `$LAUGH` and the loudly crying one as `$SOB` (a run of
 * them is one token): the view drops emoji, and "😂" marks hyperbole as "lol" does, while "😭" is
 * as often real distress as mock despair, so a guard names which it trusts. A handle (`@jo_99`) is
 * one `$HANDLE` token: its letters are a name, not words (the matching view read `@TheRealMike_99`
 * as "atherealmike g", and `99` as a number that scam rules count).
 * Every token knows its sentence, and where it sits in the caller's text.
 */
import type { NormalizedText } from '../normalize.js';
import { SENTENCE_BREAK } from '../normalize/revelations.js';
import { slab } from '../slab.js';

export const TOKEN_CLASS = { NUMBER: 1, MONEY: 2, URL: 4, YEAR: 8, LAUGH: 16, SOB: 32, HANDLE: 64 } as const;
export type TokenClass = keyof typeof TOKEN_CLASS;

export interface Tokens {
  /** How many tokens. A word's collapsed form (`kill` and `killllll` are both `kil`) is its [start, end) in the normalised text. */
  count: number;
  /** TOKEN_CLASS bits of each token (0 for a word). */
  classes: Uint8Array;
  /** [start, end) of each word in the normalised text; -1 for a class token. */
  start: Int32Array;
  end: Int32Array;
  /** [from, to) of each token in the post's original text. */
  from: Int32Array;
  to: Int32Array;
  /** Sentence number of each token, non-decreasing. */
  sentence: Int32Array;
  /** Token index where each sentence starts, plus a final entry equal to the token count. */
  sentenceStart: number[];
}

// Links by expression (each failed attempt is bounded by the 63-character label); numbers and
// amounts by a hand scanner, because `\b\d[\d,.]*` restarts at every digit of `1,1,1,…`.
const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"]+|\b[a-z0-9-]{2,63}\.(?:com|net|org|io|ly|co|me|xyz|link|app|info|biz|site|online|top|club|shop|store|live|gg|click|cc|ru|tk|to|us)\b(?:\/[^\s<>"]*)?/gi;
const LINK_HINT = /[a-z0-9]\.[a-z]|:\/\/|www\./i;
const CURRENCY_BEFORE = new Set([...'$€£¥₹']);
const CURRENCY_AFTER = /^\s?(?:[km]\s?)?(?:usd|eur|gbp|dollars?|bucks|euros?|pounds?|\$|€|£)(?![a-z])/i;

interface Special {
  from: number;
  to: number;
  cls: number;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
/** An ASCII letter or digit. */
export const isAsciiWordChar = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** [from, to) of every link in the text (trailing `.` and `,` are punctuation, not the link). */
export function linkSpans(text: string): [number, number][] {
  // Most posts hold no link: skip the expression unless something link-shaped is there.
  if (!LINK_HINT.test(text)) return [];
  return [...text.matchAll(URL_RE)].map((m) => [m.index, m.index + m[0].replace(/[.,]+$/, '').length]);
}

/** Do the four digits at `i` start 19 or 20? */
const isYearStart = (text: string, i: number): boolean =>
  (text[i] === '1' && text[i + 1] === '9') || (text[i] === '2' && text[i + 1] === '0');

/** $LAUGH for 😂 U+1F602, 😆 U+1F606, 😹 U+1F639 and 🤣 U+1F923; $SOB for 😭 U+1F62D; else 0 (UTF-16 surrogate pairs). */
function emojiClass(high: number, low: number): number {
  if (high === 0xd83e) return low === 0xdd23 ? TOKEN_CLASS.LAUGH : 0;
  if (low === 0xde02 || low === 0xde06 || low === 0xde39) return TOKEN_CLASS.LAUGH;
  return low === 0xde2d ? TOKEN_CLASS.SOB : 0;
}

/** A digit, or the first half of an emoji that may be a class token (😂, 😭, 🤣, …). */
const SPECIAL_START = /[0-9\ud83d\ud83e]/g;

/** Index of the next SPECIAL_START char at or after `from`, or -1 (one native scan, not a JS loop over every char). */
function nextStart(text: string, from: number): number {
  if (from >= text.length) return -1;
  SPECIAL_START.lastIndex = from;
  return SPECIAL_START.test(text) ? SPECIAL_START.lastIndex - 1 : -1;
}

// A handle: `@` and up to 30 letters, digits or underscores, not inside a word or an address (`jo@mail.com`).
const HANDLE_RE = /(?<![A-Za-z0-9_@.])@[A-Za-z0-9_]{1,30}(?![A-Za-z0-9_@])/g;

/** Links first, and handles outside them; then numbers (with a currency sign before or a currency word after: money) outside both. Linear. */
function specials(text: string): Special[] {
  const out: Special[] = linkSpans(text).map(([from, to]) => ({ from, to, cls: TOKEN_CLASS.URL }));
  if (text.includes('@')) addHandles(text, out);
  let u = 0; // next link that could contain the scan position
  // From one digit or emoji to the next (most posts hold few): `i = end` below then skips the
  // char after a number, as the scan did when it stepped one char at a time.
  for (let i = nextStart(text, 0); i >= 0; i = nextStart(text, i + 1)) {
    const c = text.charCodeAt(i);
    if (c === 0xd83d || c === 0xd83e) {
      const cls = emojiClass(c, text.charCodeAt(i + 1));
      if (cls !== 0) {
        const prev = out.at(-1);
        if (prev && prev.cls === cls && prev.to >= i - 1) prev.to = i + 2;
        else out.push({ from: i, to: i + 2, cls });
      }
      i++;
      continue;
    }
    if (!isDigit(c) || (i > 0 && isAsciiWordChar(text.charCodeAt(i - 1)))) continue;
    let end = i + 1;
    while (end < text.length && (isDigit(text.charCodeAt(end)) || ((text[end] === ',' || text[end] === '.') && isDigit(text.charCodeAt(end + 1))))) end++;
    const suffix = /^(?:[kKmM]\b|\+|%)/.exec(text.slice(end, end + 2));
    if (suffix) end += suffix[0].length;
    while (u < out.length && out[u]!.to <= i) u++;
    const inLink = u < out.length && (out[u]!.cls === TOKEN_CLASS.URL || out[u]!.cls === TOKEN_CLASS.HANDLE) && out[u]!.from <= i;
    if (!inLink) {
      let from = i;
      let cls: number = TOKEN_CLASS.NUMBER;
      const before = text.slice(Math.max(0, i - 2), i).trimEnd();
      if (before.length > 0 && CURRENCY_BEFORE.has(before.at(-1)!)) {
        from = text.lastIndexOf(before.at(-1)!, i);
        cls |= TOKEN_CLASS.MONEY;
      }
      const after = CURRENCY_AFTER.exec(text.slice(end, end + 10));
      if (after) {
        end += after[0].length;
        cls |= TOKEN_CLASS.MONEY;
      }
      if (cls === TOKEN_CLASS.NUMBER && end - i === 4 && isYearStart(text, i)) cls |= TOKEN_CLASS.YEAR;
      out.push({ from, to: end, cls });
    }
    i = end;
  }
  return out.sort((a, b) => a.from - b.from);
}

/** The handles outside `links` (sorted, links only), inserted in order. */
function addHandles(text: string, links: Special[]): void {
  let at = 0;
  for (const m of text.matchAll(HANDLE_RE)) {
    const from = m.index;
    const to = from + m[0].length;
    while (at < links.length && links[at]!.to <= from) at++;
    if (at < links.length && links[at]!.from < to) continue;
    links.splice(at, 0, { from, to, cls: TOKEN_CLASS.HANDLE });
    at++;
  }
}

export function tokenize(n: NormalizedText, original: string): Tokens {
  const text = n.text;
  const length = text.length;
  const special = specials(original);
  // Typed arrays filled in place (building them from JS arrays cost more than the whole scan):
  // at most one word per space-separated run, plus every class token. (The view's spaces are
  // counted and found by char code: a call of indexOf per word cost more than the whole scan.)
  let capacity = special.length + 1;
  for (let k = 0; k < length; k++) if (text.charCodeAt(k) === SPACE) capacity++;
  const w = new TokenWriter(capacity);
  const sentenceStart: number[] = [0];
  let s = 0;
  let i = 0;
  while (i < length) {
    let j = i;
    while (j < length && text.charCodeAt(j) !== SPACE) j++;
    const from = n.start[i]!;
    const to = n.end[j - 1]!;
    while (s < special.length && special[s]!.from < to) w.special(special[s++]!);
    // A word inside a link or an amount (`bit.ly`, `5k`, `50 usd`) is part of that token.
    const last = w.last;
    if (!last || from >= last.to || to <= last.from) w.word(i, j, from, to);
    if (j < length && (n.flags[j]! & SENTENCE_BREAK) !== 0) {
      // Class tokens before the sentence's closing punctuation belong to it (`Pay $5. Now`).
      const close = n.start[j]! + lastClose(original, n.start[j]!, n.end[j]!);
      while (s < special.length && special[s]!.to <= close) w.special(special[s++]!);
      w.sentence++;
      sentenceStart.push(w.count);
    }
    i = j + 1;
  }
  while (s < special.length) w.special(special[s++]!);
  const count = w.count;
  if (sentenceStart.at(-1) !== count) sentenceStart.push(count);
  return {
    count,
    classes: w.classes.subarray(0, count),
    start: w.starts.subarray(0, count),
    end: w.ends.subarray(0, count),
    from: w.froms.subarray(0, count),
    to: w.tos.subarray(0, count),
    sentence: w.sentences.subarray(0, count),
    sentenceStart,
  };
}

const SPACE = 0x20;

/** The token arrays being filled (fields, not variables captured by a closure, which V8 keeps in a heap context). */
class TokenWriter {
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly froms: Int32Array;
  readonly tos: Int32Array;
  readonly sentences: Int32Array;
  readonly classes: Uint8Array;
  count = 0;
  sentence = 0;
  /** The class token pushed last. */
  last: Special | undefined = undefined;

  constructor(capacity: number) {
    // Views on the shared slab (engine/slab.ts): a typed array of its own is one more allocation
    // outside the heap (six cost ~2.5 µs per post, one buffer for six ~0.7, the slab less). Every
    // slot below `count` is written before it is read.
    const at = slab.take(21 * capacity);
    const buffer = slab.buffer;
    this.starts = new Int32Array(buffer, at, capacity);
    this.ends = new Int32Array(buffer, at + 4 * capacity, capacity);
    this.froms = new Int32Array(buffer, at + 8 * capacity, capacity);
    this.tos = new Int32Array(buffer, at + 12 * capacity, capacity);
    this.sentences = new Int32Array(buffer, at + 16 * capacity, capacity);
    this.classes = new Uint8Array(buffer, at + 20 * capacity, capacity);
  }

  special(sp: Special): void {
    this.#push(sp.cls, -1, -1, sp.from, sp.to);
    this.last = sp;
  }

  word(start: number, end: number, from: number, to: number): void {
    this.#push(0, start, end, from, to);
  }

  #push(cls: number, start: number, end: number, from: number, to: number): void {
    const k = this.count++;
    this.classes[k] = cls;
    this.starts[k] = start;
    this.ends[k] = end;
    this.froms[k] = from;
    this.tos[k] = to;
    this.sentences[k] = this.sentence;
  }
}

/** Offset in original[from, to) of the last `.`, `!`, `?` or newline, or -1 (without slicing the gap). */
function lastClose(original: string, from: number, to: number): number {
  for (let k = to - 1; k >= from; k--) {
    const c = original.charCodeAt(k);
    if (c === 0x2e || c === 0x21 || c === 0x3f || c === 0x0a) return k - from;
  }
  return -1;
}
