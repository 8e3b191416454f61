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

class Output {
  code = new Uint16Array(512);
  /** The bytes of `code`, to read the matching view out as one string (a native copy, not one argument per char). */
  bytes = Buffer.from(this.code.buffer);
  st = new Int32Array(512);
  en = new Int32Array(512);
  runs = new Uint16Array(512);
  fl = new Uint8Array(512);

  ensure(m: number): void {
    if (m <= this.code.length) return;
    const size = Math.max(m, this.code.length * 2);
    this.code = grow(this.code, new Uint16Array(size));
    this.bytes = Buffer.from(this.code.buffer);
    this.st = grow(this.st, new Int32Array(size));
    this.en = grow(this.en, new Int32Array(size));
    this.runs = grow(this.runs, new Uint16Array(size));
    this.fl = grow(this.fl, new Uint8Array(size));
  }
}

const output = new Output();

/** Units → matching view: non-letter runs become one space, identical letters collapse into runs. */
export function collapse(n: number): NormalizedText {
  const u = units;
  const o = output;
  o.ensure(2 * n + 1);
  let m = 0;
  let lastCp = -1; // code point of the last output letter, -1 after a space
  let width = 0; // UTF-16 width of the last output letter
  let breakBits = 0; // 1 punctuation, 2 whitespace, 4 line break in the current non-letter run
  let censors: CensorRun[] | undefined;
  let censor: RunReader | undefined; // the run being read, right after a letter
  for (let k = 0; k < n; k++) {
    const kind = u.kind[k]!;
    if (kind === SKIP) continue;
    const cp = u.cp[k]!;
    if (censor !== undefined && kind !== CENSOR) {
      const run = censor.finish(kind === LETTER, o.code, k, n);
      if (run !== undefined) (censors ??= []).push(run);
      censor = undefined;
    }
    if (kind === CENSOR && (censor !== undefined || lastCp !== -1)) {
      censor ??= new RunReader(m, u.st[k]!, u.en[k]!);
      censor.add(cp, u.en[k]!);
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
  const last = censor?.finish(false, o.code, n, n);
  if (last !== undefined) (censors ??= []).push(last);
  if (m > 0 && lastCp === -1) m--; // no trailing space
  // The four arrays share a slab (engine/slab.ts): no allocation of a buffer of their own.
  const at = slab.take(11 * m);
  const buffer = slab.buffer;
  const out: NormalizedText = {
    text: decode(o, m),
    start: copy(o.st, new Int32Array(buffer, at, m)),
    end: copy(o.en, new Int32Array(buffer, at + 4 * m, m)),
    runs: copy(o.runs, new Uint16Array(buffer, at + 8 * m, m)),
    flags: copy(o.fl, new Uint8Array(buffer, at + 10 * m, m)),
  };
  if (censors !== undefined) out.censors = censors;
  return out;
}

function copy<T extends Int32Array | Uint16Array | Uint8Array>(from: T, to: T): T {
  to.set(from.subarray(0, to.length));
  return to;
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
