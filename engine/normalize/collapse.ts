/**
 * Units → the matching view (NormalizedText): each run of non-letters becomes one space that
 * remembers a sentence break, identical letters collapse into runs, and censor runs are listed.
 */
import type { CensorRun, NormalizedText } from '../normalize.js';
import { slab } from '../slab.js';
import { RunReader } from './censor-runs.js';
import * as codePoints from './code-points.js';
import * as revelations from './revelations.js';
import * as scratch from './units.js';

// Bound here rather than read through the imports: V8 reads an imported binding from the
// exporting module's cell, with a TDZ check, at each use, and these are read per unit
// (normalizeForMatching took a third longer with them imported into its loops).
const { breakBitsOf, CENSOR, LETTER, SKIP, SPACE } = codePoints;
const { REVEAL, SENTENCE_BREAK } = revelations;
const { grow, units } = scratch;

/** The matching view's code units, written here and read out as one string (`decode`). */
class Output {
  code = new Uint16Array(512);
  /** The bytes of `code`, to read the matching view out as one string (a native copy, not one argument per char). */
  bytes = Buffer.from(this.code.buffer);

  ensure(m: number): void {
    if (m <= this.code.length) return;
    this.code = grow(this.code, new Uint16Array(Math.max(m, this.code.length * 2)));
    this.bytes = Buffer.from(this.code.buffer);
  }
}

const output = new Output();

/**
 * Units → matching view: non-letter runs become one space, identical letters collapse into runs.
 *
 * The four per-char arrays are written straight into their place on the slab (engine/slab.ts),
 * sized for the most chars the units can give (`capacity`: one a unit, two for a unit past
 * U+FFFF), rather than into scratch arrays copied out at the end; the slack past the last char
 * stays unused.
 */
export function collapse(n: number): NormalizedText {
  const u = units;
  const kinds = u.kind;
  const cps = u.cp;
  const sts = u.st;
  const ens = u.en;
  const fls = u.fl;
  const capacity = n + u.wide;
  output.ensure(capacity);
  const code = output.code;
  const at = slab.take(11 * capacity);
  const i32 = slab.i32;
  const u16 = slab.u16;
  const u8 = slab.u8;
  // Offsets of the four arrays in the slab's views (st, en: Int32; runs: Uint16; flags: Uint8).
  const ST = at >> 2;
  const EN = ST + capacity;
  const RUNS = (at >> 1) + 4 * capacity;
  const FL = at + 10 * capacity;
  let m = 0;
  let lastCp = -1; // code point of the last output letter, -1 after a space
  let width = 0; // UTF-16 width of the last output letter
  let breakBits = 0; // 1 punctuation, 2 whitespace, 4 line break in the current non-letter run
  let censors: CensorRun[] | undefined;
  let censor: RunReader | undefined; // the run being read, right after a letter
  for (let k = 0; k < n; k++) {
    const kind = kinds[k]!;
    if (kind === LETTER) {
      if (censor !== undefined) {
        const run = censor.finish(true, code, k, n);
        if (run !== undefined) (censors ??= []).push(run);
        censor = undefined;
      }
      const cp = cps[k]!;
      if (cp === lastCp) {
        for (let j = m - width; j < m; j++) {
          i32[EN + j] = ens[k]!;
          if (u16[RUNS + j]! < 0xffff) u16[RUNS + j]!++;
          u8[FL + j] |= fls[k]! | (u16[RUNS + j]! > 2 ? REVEAL.repeats : 0);
        }
        continue;
      }
      lastCp = cp;
      width = 1;
      if (cp > 0xffff) {
        width = 2;
        code[m] = 0xd800 + ((cp - 0x10000) >> 10);
        i32[ST + m] = sts[k]!;
        i32[EN + m] = ens[k]!;
        u16[RUNS + m] = 1;
        u8[FL + m] = fls[k]!;
        m++;
        code[m] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
      } else {
        code[m] = cp;
      }
      i32[ST + m] = sts[k]!;
      i32[EN + m] = ens[k]!;
      u16[RUNS + m] = 1;
      u8[FL + m] = fls[k]!;
      m++;
      continue;
    }
    if (kind === SKIP) continue;
    const cp = cps[k]!;
    if (censor !== undefined && kind !== CENSOR) {
      const run = censor.finish(false, code, k, n);
      if (run !== undefined) (censors ??= []).push(run);
      censor = undefined;
    }
    if (kind === CENSOR && (censor !== undefined || lastCp !== -1)) {
      censor ??= new RunReader(m, sts[k]!, ens[k]!);
      censor.add(cp, ens[k]!);
    }
    if (lastCp !== -1 || m === 0) {
      breakBits = 0;
      if (m === 0) continue; // no leading space
      code[m] = 0x20;
      i32[ST + m] = sts[k]!;
      u16[RUNS + m] = 0;
      u8[FL + m] = 0;
      m++;
      lastCp = -1;
    }
    i32[EN + m - 1] = ens[k]!;
    breakBits |= breakBitsOf(cp) | (kind === SPACE ? 2 : 0);
    if (breakBits >= 4 || breakBits === 3) u8[FL + m - 1] = SENTENCE_BREAK;
  }
  const last = censor?.finish(false, code, n, n);
  if (last !== undefined) (censors ??= []).push(last);
  if (m > 0 && lastCp === -1) m--; // no trailing space
  const buffer = slab.buffer;
  const out: NormalizedText = {
    text: decode(output, m),
    start: new Int32Array(buffer, at, m),
    end: new Int32Array(buffer, at + 4 * capacity, m),
    runs: new Uint16Array(buffer, at + 8 * capacity, m),
    flags: new Uint8Array(buffer, at + 10 * capacity, m),
  };
  if (censors !== undefined) out.censors = censors;
  return out;
}

/** Typed arrays use the platform's byte order, and a Buffer reads UTF-16 little-endian only. */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function decode(o: Output, m: number): string {
  if (LITTLE_ENDIAN) return o.bytes.toString('utf16le', 0, 2 * m);
  let s = '';
  for (let i = 0; i < m; i += 4096) {
    s += String.fromCharCode.apply(null, o.code.subarray(i, Math.min(m, i + 4096)) as unknown as number[]);
  }
  return s;
}
