/**
 * The multi-key scan behind the lexicon matcher: every occurrence of every key
 * in a text, reported at each end position from the longest key to the
 * shortest. Lexicon forms are ASCII in practice, so they compile to a dense
 * Aho–Corasick table: one typed-array read per char of the post and no
 * allocation (the general library iterates graphemes, looks each up in a Map
 * and yields an object per match, which was a quarter of the profanity check).
 * Keys with other chars keep the grapheme-aware library.
 */
import AhoCorasick from 'modern-ahocorasick';

export type Visit<T> = (start: number, end: number, value: T) => void;

export interface KeyScanner<T> {
  /** Calls `visit` for every occurrence, by end position, longest key first at one end. */
  forEachMatch(text: string, visit: Visit<T>): void;
}

const NON_ASCII = /[^\x00-\x7f]/;

export function keyScanner<T>(entries: readonly (readonly [string, T])[]): KeyScanner<T> {
  return entries.every(([key]) => !NON_ASCII.test(key)) ? new AsciiAutomaton(entries) : new GraphemeScanner(entries);
}

/** Aho–Corasick over ASCII keys as a DFA: `next[state * width + symbol]`. A char in no key (any non-ASCII one) returns to the root. */
class AsciiAutomaton<T> implements KeyScanner<T> {
  /** Char code (< 128) → column; 0 for chars in no key. */
  readonly #symbol = new Uint8Array(128);
  readonly #width: number;
  readonly #next: Uint16Array | Int32Array;
  /** Per state: the key it completes (index into #values), or -1. */
  readonly #key: Int32Array;
  /** Per state: the nearest state that completes a key, itself included; -1 when none. */
  readonly #firstOutput: Int32Array;
  /** Per state: the nearest proper suffix state that completes a key; -1 when none. */
  readonly #nextOutput: Int32Array;
  readonly #lengths: Int32Array;
  readonly #values: T[];

  constructor(entries: readonly (readonly [string, T])[]) {
    let width = 1;
    for (const [key] of entries) {
      for (let i = 0; i < key.length; i++) if (this.#symbol[key.charCodeAt(i)] === 0) this.#symbol[key.charCodeAt(i)] = width++;
    }
    this.#width = width;
    this.#values = entries.map(([, value]) => value);
    this.#lengths = Int32Array.from(entries, ([key]) => key.length);

    // Trie first (children in the dense table, 0 = no child; the root is never a child), grown one
    // depth at a time so that the shallow states, where a scan spends most of its time, are neighbours.
    const rows: Int32Array[] = [new Int32Array(width)];
    const keyOf: number[] = [-1];
    const at = new Int32Array(entries.length); // each key's state so far
    const maxLength = this.#lengths.reduce((a, b) => Math.max(a, b), 0); // not max(...lengths): 100,000 keys overflow the stack
    for (let depth = 0; depth < maxLength; depth++) {
      entries.forEach(([key], index) => {
        if (depth >= key.length) return;
        const symbol = this.#symbol[key.charCodeAt(depth)]!;
        let child = rows[at[index]!]![symbol]!;
        if (child === 0) {
          child = rows.length;
          rows[at[index]!]![symbol] = child;
          rows.push(new Int32Array(width));
          keyOf.push(-1);
        }
        at[index] = child;
        if (depth === key.length - 1) keyOf[child] = index;
      });
    }

    // Breadth first: failure links, then missing transitions borrowed from the failure state.
    const size = rows.length;
    const fail = new Int32Array(size);
    this.#key = Int32Array.from(keyOf);
    this.#firstOutput = new Int32Array(size).fill(-1);
    this.#nextOutput = new Int32Array(size).fill(-1);
    const queue = [0];
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      const row = rows[state]!;
      const failRow = rows[fail[state]!]!;
      this.#nextOutput[state] = state === 0 ? -1 : this.#firstOutput[fail[state]!]!;
      this.#firstOutput[state] = this.#key[state]! >= 0 ? state : this.#nextOutput[state]!;
      for (let symbol = 1; symbol < width; symbol++) {
        const child = row[symbol]!;
        if (child === 0) {
          row[symbol] = state === 0 ? 0 : failRow[symbol]!;
          continue;
        }
        fail[child] = state === 0 ? 0 : failRow[symbol]!;
        queue.push(child);
      }
    }
    // Half the bytes per row when states fit in 16 bits (all pack lexicons): fewer cache lines per step.
    this.#next = size <= 0x10000 ? new Uint16Array(size * width) : new Int32Array(size * width);
    rows.forEach((row, state) => this.#next.set(row, state * width));
  }

  forEachMatch(text: string, visit: Visit<T>): void {
    const symbol = this.#symbol;
    const next = this.#next;
    const width = this.#width;
    const firstOutput = this.#firstOutput;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      state = next[state * width + (code < 128 ? symbol[code]! : 0)]!;
      for (let s = firstOutput[state]!; s !== -1; s = this.#nextOutput[s]!) {
        const key = this.#key[s]!;
        visit(i + 1 - this.#lengths[key]!, i + 1, this.#values[key]!);
      }
    }
  }
}

/** Keys with non-ASCII chars: the grapheme-aware library (a key never ends inside a grapheme). */
class GraphemeScanner<T> implements KeyScanner<T> {
  readonly #automaton: AhoCorasick<T>;

  constructor(entries: readonly (readonly [string, T])[]) {
    this.#automaton = new AhoCorasick(entries.map(([pattern, data]) => ({ pattern, data })));
  }

  forEachMatch(text: string, visit: Visit<T>): void {
    for (const m of this.#automaton.iterate(text)) visit(m.start, m.end, m.data!);
  }
}
