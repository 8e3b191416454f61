/**
 * Self-censored words (`f*ck`, `sh#t`, `a**hole`, `f**king`, `f***`,
 * `motherf…ing`): the normaliser records each run of censoring symbols written
 * against letters (NormalizedText.censors); here every such word is read as a
 * pattern — its letters exact, each run standing for a few letters — and run
 * through a trie of the lexicon's single-word forms. Only words that hold such
 * a run are looked at, so clean text costs nothing; the state set per word is
 * bounded, so time stays linear in the text.
 */
import type { CensorRun, NormalizedText } from './normalize.js';
import { REVEAL } from './normalize/revelations.js';

const SPACE = 0x20;
/** Trie states kept per position: bounds the work on one word whatever the lexicon. */
const MAX_STATES = 2048;

export interface CensorTarget<T> {
  /** Collapsed form of the word (term or term + suffix). */
  key: string;
  value: T;
}

interface Node<T> {
  children: Map<number, Node<T>>;
  values: T[];
  /** Letters this node's char stands for in the term (a collapsed run). */
  run: number;
  /** Chars of the key from the root to this node. */
  depth: number;
}

export interface CensoredHit<T> {
  /** [start, end) in the normalised text (letters only; `end` is the last letter + 1). */
  start: number;
  end: number;
  /** End in the original text, past a trailing run (`f***`). */
  originalEnd: number;
  value: T;
  /** REVEAL bits: self_censoring for symbols read as any letters, leetspeak for `+`/`<`, compound. */
  reveal: number;
}

/** How a value may sit inside a longer word: PREFIX (`f*ckboy`), SUFFIX (`clusterf*ck`). */
export type CompoundOf<T> = (value: T) => number;
const PREFIX = 1;
const SUFFIX = 2;
/** Letters the other part of a compound needs at least (as for spelled-out compounds). */
const MIN_COMPOUND_PART = 3;

/** What a word's runs reveal: self_censoring for symbols read as any letters, leetspeak for `+`/`<`. */
function revealOf(runs: readonly CensorRun[]): number {
  let bits = 0;
  for (const r of runs) bits |= r.letters === undefined ? REVEAL.self_censoring : REVEAL.leetspeak;
  return bits;
}

export class CensoredMatcher<T> {
  readonly #root: Node<T> = { children: new Map(), values: [], run: 0, depth: 0 };
  readonly #compound: CompoundOf<T>;

  constructor(targets: Iterable<CensorTarget<T> & { runs: ArrayLike<number> }>, compound: CompoundOf<T> = () => 0) {
    this.#compound = compound;
    for (const t of targets) this.#add(t.key, t.runs, t.value);
  }

  #add(key: string, runs: ArrayLike<number>, value: T): void {
    let node = this.#root;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      let next = node.children.get(c);
      if (!next) node.children.set(c, (next = { children: new Map(), values: [], run: runs[i] ?? 1, depth: i + 1 }));
      node = next;
    }
    if (!node.values.includes(value)) node.values.push(value);
  }

  /** Every self-censored word of `n` that reads as a lexicon form, or starts or ends with one. */
  find(n: NormalizedText): CensoredHit<T>[] {
    const censors = n.censors;
    if (!censors || censors.length === 0) return [];
    const out: CensoredHit<T>[] = [];
    let i = 0;
    while (i < censors.length) {
      // One word: the letters before censors[i], then each inner run and the letters after it.
      const first = censors[i]!;
      let start = first.at;
      while (start > 0 && n.text.charCodeAt(start - 1) !== SPACE) start--;
      const runs: CensorRun[] = [first];
      while (runs[runs.length - 1]!.inner && i + 1 < censors.length && censors[i + 1]!.at === wordEnd(n.text, runs[runs.length - 1]!.at + 1)) {
        runs.push(censors[++i]!);
      }
      i++;
      const last = runs[runs.length - 1]!;
      const end = last.inner ? wordEnd(n.text, last.at + 1) : last.at;
      const reveal = revealOf(runs);
      const originalEnd = last.inner ? n.end[end - 1]! : last.end;
      const whole = this.#match(n, start, runs, end, 0);
      if (whole !== undefined) {
        out.push({ start, end, originalEnd, value: whole, reveal });
        continue;
      }
      // A hyphenated word's self-censored part (`mother-f***ing`, `sh*t-faced`): read on its own.
      if (runs.some((r) => r.joiner)) {
        const part = this.#hyphenated(n, start, runs, end);
        if (part !== undefined) out.push(part);
        continue;
      }
      // A compound's self-censored part (`f*ckboy`, `$#!tcoins`, `clusterf*ck`): its runs lie inside it, between its
      // letters, and join no words (`s-tier`, `f-stop`, `@marcus_t` are hyphenated words and handles).
      if (!last.inner) continue;
      const compound = this.#match(n, start, runs, end, PREFIX) ?? this.#suffixMatch(n, start, runs, end);
      if (compound !== undefined) out.push({ start, end, originalEnd, value: compound, reveal: reveal | REVEAL.compound });
    }
    return out;
  }

  /** The first part between single hyphens of the word that holds runs of its own and reads as a lexicon form. */
  #hyphenated(n: NormalizedText, start: number, runs: CensorRun[], end: number): CensoredHit<T> | undefined {
    let from = start;
    let part: CensorRun[] = [];
    for (let k = 0; k <= runs.length; k++) {
      const r = runs[k];
      if (r !== undefined && !isHyphen(r)) {
        part.push(r);
        continue;
      }
      const to = r === undefined ? end : r.at;
      if (part.length > 0 && !(r !== undefined && part[part.length - 1]!.at === to)) {
        const value = this.#match(n, from, part, to, 0);
        const last = part[part.length - 1]!;
        if (value !== undefined) return { start: from, end: to, originalEnd: last.inner ? n.end[to - 1]! : last.end, value, reveal: revealOf(part) };
      }
      if (r !== undefined) from = r.at + 1;
      part = [];
    }
    return undefined;
  }

  /** A lexicon form that ends the word and may end a compound, starting at least MIN_COMPOUND_PART letters in. */
  #suffixMatch(n: NormalizedText, start: number, runs: CensorRun[], end: number): T | undefined {
    for (let from = start + MIN_COMPOUND_PART; from < runs[0]!.at; from++) {
      const value = this.#match(n, from, runs, end, SUFFIX);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  /**
   * Simulates the trie over the word from `start`: letters advance states (each written as often as the
   * form spells it: `c*tting` is not `cunting`), a run stands for between its `min` and `max` letters
   * (`f*king`, `f***k`, `f-ing`, `f***`), or for its own letters (`sh!+`). With `compound` = 0 the form
   * must end at `end`; with PREFIX it may end earlier, past the last run and MIN_COMPOUND_PART letters
   * before `end`; with SUFFIX it must end at `end` and allow compounds.
   */
  #match(n: NormalizedText, start: number, runs: CensorRun[], end: number, compound: number): T | undefined {
    let states: Node<T>[] = [this.#root];
    let pos = start;
    let real = 0;
    for (const run of runs) {
      for (; pos < run.at && states.length > 0; pos++, real++) states = step(states, n.text.charCodeAt(pos), n.runs[pos]!);
      if (states.length === 0) return undefined;
      if (run.letters === undefined) states = wildcard(states, run.min, run.max);
      else for (let j = 0; j < run.letters.length && states.length > 0; j++) states = step(states, run.letters.charCodeAt(j), 1);
      pos = run.at + 1;
    }
    for (; pos < end && states.length > 0; pos++, real++) {
      states = step(states, n.text.charCodeAt(pos), n.runs[pos]!);
      if (compound === PREFIX && end - pos - 1 >= MIN_COMPOUND_PART) {
        const value = this.#valueOf(states, PREFIX, real + 1);
        if (value !== undefined) return value;
      }
    }
    if (real === 0 || compound === PREFIX) return undefined;
    return this.#valueOf(states, compound, real);
  }

  /**
   * A value of the states (that may be a compound part, for `compound`). In a compound, the part's
   * own letters must outnumber those its runs stand for (`s*spended` is not `shits` + `pended`).
   */
  #valueOf(states: Node<T>[], compound: number, written: number): T | undefined {
    for (const s of states) {
      if (compound !== 0 && 2 * written <= s.depth) continue;
      for (const v of s.values) if (compound === 0 || (this.#compound(v) & compound) !== 0) return v;
    }
    return undefined;
  }
}

/** One hyphen between two parts of a word (`mother-f***ing`): the word's parts are read apart. */
function isHyphen(r: CensorRun): boolean {
  return r.joiner && r.inner && r.end - r.start === 1 && r.letters === undefined;
}

function wordEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && text.charCodeAt(i) !== SPACE) i++;
  return i;
}

function step<T>(states: Node<T>[], c: number, written: number): Node<T>[] {
  const out: Node<T>[] = [];
  for (const s of states) {
    const next = s.children.get(c);
    if (next && (written === next.run || (written >= 3 && written > next.run)) && !out.includes(next)) out.push(next);
  }
  return out;
}

/** States reached by consuming between `min` and `max` letters of any trie chars (a char stands for its run). */
function wildcard<T>(states: Node<T>[], min: number, max: number): Node<T>[] {
  const out = new Set<Node<T>>();
  let frontier: { node: Node<T>; letters: number }[] = states.map((node) => ({ node, letters: 0 }));
  while (frontier.length > 0 && out.size < MAX_STATES) {
    const next: { node: Node<T>; letters: number }[] = [];
    for (const { node, letters } of frontier) {
      for (const child of node.children.values()) {
        const total = letters + child.run;
        if (total > max) continue;
        if (total >= min) out.add(child);
        if (total < max) next.push({ node: child, letters: total });
        if (out.size + next.length >= MAX_STATES) break;
      }
    }
    frontier = next;
  }
  return [...out];
}
