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
const { ASCII_FLAGS, ASCII_KIND, ASCII_UNIT, DROP, infoOf, LETTER, MARK, SPACE } = codePoints;
const { REVEAL } = revelations;

// ---------------------------------------------------------------------------
// Scratch buffers reused across calls (single-threaded; results are copied out).

export class Scratch {
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

export function grow<T extends Int32Array | Uint8Array | Uint16Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

export const units = new Scratch();

/** Code points → units (accents, invisibles, homoglyphs, case folded). Returns the unit count. */
export function expand(text: string): number {
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
