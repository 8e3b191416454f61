/**
 * Phrase patterns compiled to one token-level Thompson automaton. Matching
 * simulates the set of live states word by word, so the cost is linear in the
 * words of a sentence times the size of the pattern: no backtracking, whatever
 * a reviewer writes. Bounded gaps are chains of optional any-word states.
 */
import { normalizeTerm } from '../normalize.js';
import type { NormalizedText } from '../normalize.js';
import type { PatternNode } from './pattern.js';
import { TOKEN_CLASS, type TokenClass, type Tokens } from './tokens.js';

const MATCH = 0;
const ANY = 1;
const SPLIT = 2;
const ACCEPT = 3;

/** A word as the automaton sees it: its collapsed form and how often each letter must be written. */
interface VocabWord {
  id: number;
  runs: Uint16Array;
}

/** Every word the patterns of one phrase set mention, by collapsed form; ids index the states' sets. */
export class Vocabulary {
  private readonly byKey = new Map<string, VocabWord[]>();
  private readonly bySignature = new Map<string, number>();
  private next = 0;
  /** Ids of the token classes ($NUMBER, $MONEY, $URL) that patterns use, by class bit. */
  private readonly classIds = new Map<number, number>();

  /** Id of a token class, as a slot such as `$NUMBER` names it. */
  classId(cls: TokenClass): number {
    const bit = TOKEN_CLASS[cls];
    let id = this.classIds.get(bit);
    if (id === undefined) this.classIds.set(bit, (id = this.next++));
    return id;
  }

  /** Id of a single normalised word (no spaces). */
  idOf(key: string, runs: Uint16Array | readonly number[]): number {
    const signature = `${key}\u0000${Array.from(runs).join(',')}`;
    let id = this.bySignature.get(signature);
    if (id !== undefined) return id;
    id = this.next++;
    this.bySignature.set(signature, id);
    let list = this.byKey.get(key);
    if (!list) this.byKey.set(key, (list = []));
    list.push({ id, runs: Uint16Array.from(runs) });
    return id;
  }

  /** Ids of the vocabulary words that token `t` is a spelling of (`killll` is `kill`; `kil` is not). */
  lookup(n: NormalizedText, tokens: Tokens, t: number): number[] | null {
    const cls = tokens.classes[t]!;
    if (cls !== 0) {
      let out: number[] | null = null;
      for (const [bit, id] of this.classIds) if ((cls & bit) !== 0) (out ??= []).push(id);
      return out;
    }
    const list = this.byKey.get(tokens.keys[t]!);
    if (!list) return null;
    const start = tokens.start[t]!;
    let out: number[] | null = null;
    for (const word of list) {
      let covered = true;
      for (let i = 0; i < word.runs.length; i++) {
        if (n.runs[start + i]! < word.runs[i]!) {
          covered = false;
          break;
        }
      }
      if (covered) (out ??= []).push(word.id);
    }
    return out;
  }
}

/** A phrase as token sequences: `i'll` → [[i, ll], [ill]]. Each token is a vocabulary id. */
export type Expansion = number[];

/** Every token sequence a written phrase stands for: the normalised form, and the joined form of an apostrophe word. */
export function expandPhrase(vocab: Vocabulary, phrase: string): Expansion[] {
  const forms = new Set([phrase]);
  if (/['’]/.test(phrase)) forms.add(phrase.replace(/['’]/g, ''));
  const out: Expansion[] = [];
  for (const form of forms) {
    const n = normalizeTerm(form);
    if (n.text.length === 0) continue;
    const ids: number[] = [];
    let at = 0;
    for (const word of n.text.split(' ')) {
      ids.push(vocab.idOf(word, n.runs.slice(at, at + word.length)));
      at += word.length + 1;
    }
    out.push(ids);
  }
  return out;
}

interface Fragment {
  start: number;
  /** Dangling exits to patch: [state, 1 | 2]. */
  outs: [number, 1 | 2][];
}

/** Resolves the leaves of a pattern (words, slots) to token sequences. */
export type LeafResolver = (node: Extract<PatternNode, { kind: 'word' | 'slot' }>) => Expansion[];

export class Automaton {
  private kind: number[] = [];
  private sets: (Set<number> | null)[] = [];
  private out1: number[] = [];
  private out2: number[] = [];
  private stamp = new Int32Array(0);
  private generation = 0;

  /** Adds one pattern; returns its start state. */
  add(node: PatternNode, resolve: LeafResolver): number {
    const frag = this.build(node, resolve);
    const accept = this.state(ACCEPT, null);
    this.patch(frag, accept);
    this.stamp = new Int32Array(this.kind.length);
    return frag.start;
  }

  /**
   * Longest match of the pattern at `start`, anchored at token `from`, within
   * tokens [from, to): the end index, or -1. `ids[t]` are token t's vocabulary ids.
   */
  longestAt(start: number, ids: readonly (readonly number[] | null)[], from: number, to: number): number {
    let current: number[] = [];
    this.addState(current, start, ++this.generation);
    let best = -1;
    for (let t = from; t <= to && current.length > 0; t++) {
      const next: number[] = [];
      const gen = ++this.generation;
      for (const s of current) {
        const kind = this.kind[s]!;
        if (kind === ACCEPT) {
          best = t;
          continue;
        }
        if (t === to) continue;
        if (kind === ANY || (kind === MATCH && matchesAny(this.sets[s]!, ids[t]))) this.addState(next, this.out1[s]!, gen);
      }
      current = next;
    }
    return best;
  }

  private addState(list: number[], s: number, gen: number): void {
    if (this.stamp[s] === gen) return;
    this.stamp[s] = gen;
    if (this.kind[s] === SPLIT) {
      this.addState(list, this.out1[s]!, gen);
      this.addState(list, this.out2[s]!, gen);
    } else {
      list.push(s);
    }
  }

  private state(kind: number, set: Set<number> | null): number {
    this.kind.push(kind);
    this.sets.push(set);
    this.out1.push(-1);
    this.out2.push(-1);
    return this.kind.length - 1;
  }

  private patch(frag: Fragment, to: number): void {
    for (const [s, which] of frag.outs) (which === 1 ? this.out1 : this.out2)[s] = to;
  }

  private build(node: PatternNode, resolve: LeafResolver): Fragment {
    switch (node.kind) {
      case 'word':
      case 'slot':
        return this.expansions(resolve(node));
      case 'any': {
        const s = this.state(ANY, null);
        return { start: s, outs: [[s, 1]] };
      }
      case 'seq':
        return this.sequence(node.items.map((item) => this.build(item, resolve)));
      case 'alt':
        return this.alternation(node.options.map((option) => this.build(option, resolve)));
      case 'opt':
        return this.optional(this.build(node.node, resolve));
      case 'gap': {
        const steps: Fragment[] = [];
        for (let i = 0; i < node.max; i++) {
          const s = this.state(ANY, null);
          steps.push(this.optional({ start: s, outs: [[s, 1]] }));
        }
        return this.sequence(steps);
      }
    }
  }

  /** Single-word alternatives share one state with a set of ids; multi-word ones get their own chain. */
  private expansions(list: Expansion[]): Fragment {
    if (list.length === 0) throw new Error('a word or slot in this pattern has no matchable form');
    const single = new Set<number>();
    const branches: Fragment[] = [];
    for (const expansion of list) {
      if (expansion.length === 1) {
        single.add(expansion[0]!);
        continue;
      }
      branches.push(
        this.sequence(
          expansion.map((id) => {
            const s = this.state(MATCH, new Set([id]));
            return { start: s, outs: [[s, 1]] };
          }),
        ),
      );
    }
    if (single.size > 0) {
      const s = this.state(MATCH, single);
      branches.unshift({ start: s, outs: [[s, 1]] });
    }
    return this.alternation(branches);
  }

  private sequence(frags: Fragment[]): Fragment {
    for (let i = 0; i + 1 < frags.length; i++) this.patch(frags[i]!, frags[i + 1]!.start);
    return { start: frags[0]!.start, outs: frags.at(-1)!.outs };
  }

  private alternation(frags: Fragment[]): Fragment {
    let result = frags[0]!;
    for (let i = 1; i < frags.length; i++) {
      const s = this.state(SPLIT, null);
      this.out1[s] = result.start;
      this.out2[s] = frags[i]!.start;
      result = { start: s, outs: [...result.outs, ...frags[i]!.outs] };
    }
    return result;
  }

  private optional(frag: Fragment): Fragment {
    const s = this.state(SPLIT, null);
    this.out1[s] = frag.start;
    return { start: s, outs: [...frag.outs, [s, 2]] };
  }
}

function matchesAny(set: Set<number>, ids: readonly number[] | null | undefined): boolean {
  if (!ids) return false;
  for (const id of ids) if (set.has(id)) return true;
  return false;
}
