/**
 * A post as units: each code point expanded into what it reads as (accents, invisibles,
 * homoglyphs and case folded), each unit keeping where it came from in the original text. The
 * passes of evasions.ts rewrite the units in place and collapse.ts reads them out.
 */
import * as codePoints from './code-points.js';
import * as revelations from './revelations.js';

// Bound here rather than read through the imports: V8 reads an imported binding from the
// exporting module's cell, with a TDZ check, at each use, and these are read per unit
// (normalizeForMatching took a third longer with them imported into its loops).
const { ASCII_UNITS, candidatesOf, CENSOR_CANDIDATE, DROP, infoOf, LEET_CANDIDATE, LETTER, MARK, SPACE } = codePoints;
const { REVEAL } = revelations;

// ---------------------------------------------------------------------------
// Scratch buffers reused across calls (single-threaded; results are copied out).

export class Scratch {
  cp = new Int32Array(512);
  st = new Int32Array(512);
  en = new Int32Array(512);
  kind = new Uint8Array(512);
  fl = new Uint8Array(512);
  /** Units past U+FFFF written by the last `expand` (each is two chars of the matching view). */
  wide = 0;
  /**
   * What the last `expand` leaves the passes of evasions.ts (code-points.ts's candidate bits):
   * LEET_CANDIDATE for a leetspeak symbol, CENSOR_CANDIDATE for a censoring symbol right after a
   * letter (any, for one that a non-ASCII code point gave).
   */
  candidates = 0;
  #chars = new Uint16Array(512);
  #charBytes = Buffer.from(this.#chars.buffer);

  /** The UTF-16 code units of `text`, read by one native copy (LE platforms) instead of `charCodeAt` per char. */
  chars(text: string): Uint16Array {
    if (this.#chars.length < text.length) {
      this.#chars = new Uint16Array(Math.max(text.length, 2 * this.#chars.length));
      this.#charBytes = Buffer.from(this.#chars.buffer);
    }
    if (LITTLE_ENDIAN) this.#charBytes.write(text, 0, 2 * text.length, 'utf16le');
    else for (let i = 0; i < text.length; i++) this.#chars[i] = text.charCodeAt(i);
    return this.#chars;
  }

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

/** A Buffer writes UTF-16 little-endian only, and typed arrays use the platform's byte order. */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

export function grow<T extends Int32Array | Uint8Array | Uint16Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

export const units = new Scratch();

/**
 * Code points → units (accents, invisibles, homoglyphs, case folded). Returns the unit count.
 *
 * The text is read from a copy of its code units (`Scratch.chars`): once a pack's terms have been
 * normalised, `text` has been strings of many shapes (sliced, concatenated, two-byte), and V8
 * reads `text.charCodeAt` through a megamorphic lookup per char (the loop took ~4× as long).
 * The ASCII loop keeps its arrays in locals and never grows them (room for the rest of the text
 * as one unit a char is made before it and after each other code point); other code points,
 * and the ASCII char after an invisible one, go out of line.
 */
export function expand(text: string): number {
  const u = units;
  const length = text.length;
  u.ensure(length + 8);
  const chars = u.chars(text);
  other.reset();
  let cps = u.cp;
  let kinds = u.kind;
  let sts = u.st;
  let ens = u.en;
  let fls = u.fl;
  let n = 0;
  let candidates = 0;
  for (let i = 0; i < length; ) {
    const cp = chars[i]!;
    if (cp < 128) {
      const a = ASCII_UNITS[cp]!;
      if (a >= CANDIDATES) candidates |= candidatesAt(a, n);
      cps[n] = a & 0xff;
      kinds[n] = a >> 8; // a Uint8Array keeps the low byte
      sts[n] = i;
      ens[n] = i + 1;
      fls[n] = a >> 16;
      n++;
      i++;
      continue;
    }
    n = other.at(chars, length, i, n);
    i = other.i;
    u.ensure(n + (length - i) + 8);
    if (other.zw !== 0 && i < length && chars[i]! < 128) {
      // An invisible char before it, inside a word (not after an emoji's U+FE0F): revealed unless a space.
      const a = ASCII_UNITS[chars[i]!]!;
      if (a >= CANDIDATES) candidates |= candidatesAt(a, n);
      u.cp[n] = a & 0xff;
      u.kind[n] = a >> 8;
      u.st[n] = i;
      u.en[n] = i + 1;
      u.fl[n] = (a >> 16) | (u.kind[n] !== SPACE ? other.zw : 0);
      other.zw = 0;
      n++;
      i++;
    }
    cps = u.cp;
    kinds = u.kind;
    sts = u.st;
    ens = u.en;
    fls = u.fl;
  }
  u.candidates = candidates | other.candidates;
  u.wide = other.wide;
  return n;
}

const CANDIDATES = 1 << 24;

/** The candidate bits of an ASCII unit written at `n`: a censoring symbol counts after a letter only. */
function candidatesAt(a: number, n: number): number {
  const c = a >>> 24;
  return (c & LEET_CANDIDATE) | (n > 0 && units.kind[n - 1] === LETTER ? c & CENSOR_CANDIDATE : 0);
}

/** The units of one non-ASCII code point (what `expand` leaves out of its ASCII loop). */
class OtherCodePoint {
  /** Index in the text after the code point. */
  i = 0;
  /** REVEAL['zero-width'] when an invisible char followed a letter: the next kept unit, unless a space, reveals it. */
  zw = 0;
  /** The candidate bits of the units written (Scratch.candidates), censors counted wherever they stand. */
  candidates = 0;
  /** Units past U+FFFF written since `reset`. */
  wide = 0;
  /** First unit of the last kept code point (a combining mark extends it); -1 when it was ASCII or none. */
  #prevFirst = -1;
  #prevEnd = -1;

  reset(): void {
    this.zw = 0;
    this.candidates = 0;
    this.wide = 0;
    this.#prevEnd = -1;
  }

  /** Writes the units of the code point at `chars[i]` from unit `n`; returns the new unit count. */
  at(chars: Uint16Array, length: number, i: number, n: number): number {
    const u = units;
    let cp = chars[i]!;
    let width = 1;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < length) {
      const lo = chars[i + 1]!;
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    this.i = i + width;
    const info = infoOf(cp);
    // The previous kept code point: this one's units when it ended where this one starts, else the one ASCII unit before.
    const prevFirst = this.#prevEnd === n ? this.#prevFirst : n - 1;
    if (info.action === DROP) {
      this.zw = n > 0 && u.kind[n - 1] === LETTER ? REVEAL['zero-width'] : 0;
      return n;
    }
    if (info.action === MARK) {
      for (let k = prevFirst; prevFirst >= 0 && k < n; k++) {
        u.en[k] = i + width;
        if (u.kind[k] === LETTER) u.fl[k] |= REVEAL.accent;
      }
      return n;
    }
    u.ensure(n + info.units.length);
    const bit = info.kinds[0] !== SPACE ? this.zw : 0;
    this.zw = 0;
    this.#prevFirst = n;
    for (let k = 0; k < info.units.length; k++, n++) {
      const unit = info.units[k]!;
      if (unit > 0xffff) this.wide++;
      if (info.kinds[k] !== LETTER) this.candidates |= candidatesOf(unit);
      u.cp[n] = unit;
      u.kind[n] = info.kinds[k]!;
      u.st[n] = i;
      u.en[n] = i + width;
      u.fl[n] = info.flags | bit;
    }
    this.#prevEnd = n;
    return n;
  }
}

const other = new OtherCodePoint();
