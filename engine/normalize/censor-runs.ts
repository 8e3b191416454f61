/**
 * What a run of censoring symbols written against a word's letters stands for (CensorRun):
 * inside a word, a few letters (`f*ck`, `a**hole`); at its end, exactly as many letters as
 * symbols when they are stars or hashes (`f***`), a comic-strip grawlix after a first letter
 * (`F@#%`, `s#!%`), or dashes after a first letter (`f--- off`, and `f-` alone for the one word
 * writers shorten so: `what the f-`); `+` and `<` for the letters they stand for (`sh!+`). Only
 * posts with such a run get here.
 */
import type { CensorRun } from '../normalize.js';
import * as codePoints from './code-points.js';
import * as scratch from './units.js';

const { CENSOR_WIDTH, LETTER, SPACE, TRAILING_CENSORS, WORD_LEET } = codePoints;
const { units } = scratch;

const DASHES = new Set([0x2d, 0x2012, 0x2013, 0x2014]); // - ‒ – —
/** Symbols that join words (`s-tier`, `@marcus_t`, `TQx9f…k2Lp`, `col·lecció`) as often as they censor. */
const JOINERS = new Set([...DASHES, 0x5f, 0x2026, 0xb7, 0x2022]); // _ … · •
/** Symbols that make a run a grawlix (`@#$%&*`), as opposed to punctuation (`?!`): one bit each. */
const GRAWLIX = new Map([...'@#$%&*'].map((c, i): [number, number] => [c.charCodeAt(0), 1 << i]));
const QUESTION = 0x3f;
const BANG = 0x21;
const SPACE_CP = 0x20;
/** The letter writers shorten a swear word to with one dash (`f- off`, `what the f-`). */
const F = 0x66;
/** Words after `f-` that make it the swear word (`f- off`, `f- this`, `f- my life`), not a grade (`an F- on it`). */
const AFTER_TRUNCATED = new Set(['off', 'this', 'that', 'it', 'you', 'u', 'ya', 'me', 'my', 'your', 'ur', 'him', 'her', 'them', 'us', 'the', 'all', 'everything', 'everyone', 'yeah', 'no', 'up', 'sake']);
/** One-letter English words: `a--`, `I--` are a stammer or a dash as often as a swear (`a-- anyway`). */
const WORD_LETTERS = new Set([0x61, 0x69]);

export class RunReader {
  readonly #at: number;
  readonly #start: number;
  #end: number;
  #count = 0;
  #symbols = 0;
  #dashes = 0;
  #joiner = false;
  #trailing = true; // every symbol may censor at a word's end on its own (`*`, `#`, `_`, `•`)
  #letters = ''; // what the `+` and `<` of the run stand for
  #grawlix = 0; // a bit per distinct symbol of @#$%&* in the run
  #last = 0;

  constructor(at: number, start: number, end: number) {
    this.#at = at;
    this.#start = start;
    this.#end = end;
  }

  add(cp: number, end: number): void {
    this.#end = end;
    this.#symbols++;
    this.#last = cp;
    const letter = cp < 128 ? WORD_LEET[cp]! : 0;
    if (letter !== 0) this.#letters += String.fromCharCode(letter);
    this.#count += CENSOR_WIDTH.get(cp) ?? 1;
    if (DASHES.has(cp)) this.#dashes++;
    if (JOINERS.has(cp)) this.#joiner = true;
    this.#grawlix |= GRAWLIX.get(cp) ?? 0;
    this.#trailing &&= TRAILING_CENSORS.has(cp);
  }

  /**
   * The run, once the unit after it (`next`, or the text's end) is known; undefined when it
   * censors nothing (`fun!`, `wh…`, `C++`). `code` is the matching view written so far.
   */
  finish(inner: boolean, code: Uint16Array, next: number, n: number): CensorRun | undefined {
    const run: CensorRun = { at: this.#at, min: 0, max: 0, inner, joiner: this.#joiner, start: this.#start, end: this.#end };
    if (this.#letters.length === this.#symbols) {
      run.letters = this.#letters;
      run.min = run.max = this.#letters.length;
      return run;
    }
    const count = this.#count;
    if (inner) {
      run.min = Math.max(1, count - 1);
      run.max = count + 2;
      return run;
    }
    run.min = run.max = count;
    const first = this.#afterFirstLetter(code);
    // One symbol after one letter reads a two-letter word: notes and languages (`C#`, `A#`, `F#`), not `af`.
    if (this.#trailing) return first && count === 1 ? undefined : run;
    if (!first) return undefined;
    if ((this.#grawlix & (this.#grawlix - 1)) !== 0 && this.#symbols >= 3) {
      if (this.#last === BANG || this.#last === QUESTION) run.min = count - 1; // `F@#%!`: the last one may be punctuation
      return run;
    }
    if (this.#dashes !== this.#symbols || WORD_LETTERS.has(code[this.#at - 1]!)) return undefined;
    if (this.#symbols >= 2) return run;
    if (code[this.#at - 1] !== F || !(AFTER_TRUNCATED.has(wordAfter(next, n)) || wordBefore(code, this.#at - 2) === 'the')) return undefined;
    run.min = run.max = 3;
    return run;
  }

  /** The run follows a word of one letter (`f***`, `F@#%`, `f-`). */
  #afterFirstLetter(code: Uint16Array): boolean {
    return this.#at === 1 ? true : this.#at >= 2 && code[this.#at - 2] === SPACE_CP;
  }
}

/** The word that starts at or after unit `next` (units: the part of the post not collapsed yet). */
function wordAfter(next: number, n: number): string {
  const u = units;
  let k = next;
  while (k < n && u.kind[k] === SPACE) k++;
  let word = '';
  for (; k < n && u.kind[k] === LETTER && word.length < 11; k++) word += String.fromCharCode(u.cp[k]!);
  return word;
}

/** The word of the matching view that ends before the space at `space`. */
function wordBefore(code: Uint16Array, space: number): string {
  let start = space;
  while (start > 0 && code[start - 1] !== SPACE_CP) start--;
  return String.fromCharCode(...code.subarray(start, space));
}
