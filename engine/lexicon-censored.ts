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
}

export interface CensoredHit<T> {
  /** [start, end) in the normalised text (letters only; `end` is the last letter + 1). */
  start: number;
  end: number;
  /** End in the original text, past a trailing run (`f***`). */
  originalEnd: number;
  value: T;
}

export class CensoredMatcher<T> {
  readonly #root: Node<T> = { children: new Map(), values: [], run: 0 };

  constructor(targets: Iterable<CensorTarget<T> & { runs: ArrayLike<number> }>) {
    for (const t of targets) this.#add(t.key, t.runs, t.value);
  }

  #add(key: string, runs: ArrayLike<number>, value: T): void {
    let node = this.#root;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      let next = node.children.get(c);
      if (!next) node.children.set(c, (next = { children: new Map(), values: [], run: runs[i] ?? 1 }));
      node = next;
    }
    if (!node.values.includes(value)) node.values.push(value);
  }

  /** Every self-censored word of `n` that reads as a lexicon form. */
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
      const value = this.#match(n, start, runs, end);
      if (value !== undefined) out.push({ start, end, originalEnd: last.inner ? n.end[end - 1]! : last.end, value });
    }
    return out;
  }

  /**
   * Simulates the trie over the word: letters advance states (each written as often as the
   * form spells it: `c*tting` is not `cunting`), a run inside a word stands for count-1…count+2
   * letters (`f*king`, `f***k`, `f-ing`), a run at its end for exactly count (`f***`).
   */
  #match(n: NormalizedText, start: number, runs: CensorRun[], end: number): T | undefined {
    let states: Node<T>[] = [this.#root];
    let pos = start;
    let real = 0;
    for (const run of runs) {
      for (; pos < run.at && states.length > 0; pos++, real++) states = step(states, n.text.charCodeAt(pos), n.runs[pos]!);
      if (states.length === 0) return undefined;
      states = run.inner ? wildcard(states, Math.max(1, run.count - 1), run.count + 2) : wildcard(states, run.count, run.count);
      pos = run.at + 1;
    }
    for (; pos < end && states.length > 0; pos++, real++) states = step(states, n.text.charCodeAt(pos), n.runs[pos]!);
    if (real === 0) return undefined;
    for (const s of states) if (s.values.length > 0) return s.values[0];
    return undefined;
  }
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
