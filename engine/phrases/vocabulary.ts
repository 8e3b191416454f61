/**
 * The words of a phrase set's patterns, each with an id that labels the automaton's edges, and a
 * post's tokens looked up among them: a token is a spelling of a word when its letters are
 * written at least as often as the word's (`killll` is `kill`; `kil` is not).
 */
import { normalizeTerm } from '../normalize.js';
import type { NormalizedText } from '../normalize.js';
import { TOKEN_CLASS, type TokenClass, type Tokens } from './tokens.js';
import { WordTable, type TableWord } from './word-table.js';

/** Every word the patterns of one phrase set mention, by collapsed form; ids label the automaton's edges. */
export class Vocabulary {
  // The words by collapsed form in typed arrays, read straight from the normalised text on the
  // evaluate path: a token is looked up by its span, so tokenize makes no string per word and no
  // Map hashes one. `built` holds every word given an id before the last build, `pending` those
  // since (a form's words in the order they were added); `table` is `built` while nothing is
  // pending. Once built, no Map, word object or typed array per word is kept for a major GC to mark.
  private table: WordTable | undefined;
  private built: WordTable | undefined;
  private pending = new Map<string, TableWord[]>();
  private readonly keys: string[] = [];
  private next = 0;
  /** Ids of the token classes ($NUMBER, $MONEY, $URL, $YEAR, $LAUGH, $SOB, $HANDLE) that patterns use, by class bit. */
  private readonly classIds = new Map<number, number>();
  /** `lookup`'s answer per TOKEN_CLASS bit mask (0–127), filled on first use. */
  private classAnswers: (readonly number[] | null | undefined)[] = [];

  /** How many ids have been given out (ids are 0 … size - 1). */
  get size(): number {
    return this.next;
  }

  /** The collapsed form of a word id ('' for a token class). */
  keyOf(id: number): string {
    return this.keys[id] ?? '';
  }

  /** Id of a token class, as a slot such as `$NUMBER` names it. */
  classId(cls: TokenClass): number {
    const bit = TOKEN_CLASS[cls];
    let id = this.classIds.get(bit);
    if (id === undefined) {
      this.classIds.set(bit, (id = this.next++));
      this.classAnswers = [];
    }
    return id;
  }

  /** Is `id` the id of token class `cls` (without giving the class an id)? */
  isClass(id: number, cls: TokenClass): boolean {
    return this.classIds.get(TOKEN_CLASS[cls]) === id;
  }

  /** Id of a single normalised word (no spaces): one per collapsed form and letter counts. */
  idOf(key: string, runs: Uint16Array | readonly number[]): number {
    const counts = Uint16Array.from(runs);
    const list = this.pending.get(key);
    for (const word of list ?? []) if (sameRuns(word.runs, counts)) return word.id;
    const built = this.built;
    const form = built ? built.formOf(key, 0, key.length) : -1;
    if (form >= 0) for (let w = built!.wordAt[form]!, end = built!.wordAt[form + 1]!; w < end; w++) if (built!.hasRuns(w, counts)) return built!.ids[w]!;
    const id = this.next++;
    this.keys[id] = key;
    const word = { id, runs: counts, alone: [id] };
    if (list) list.push(word);
    else this.pending.set(key, [word]);
    this.table = undefined; // rebuilt at the next lookup (compile time only)
    return id;
  }

  /**
   * Every token's ids (null where the token is no vocabulary word): once per post, shared by the
   * pack's phrase sets. The lists are shared between tokens and posts: read them, never change them.
   */
  idsOf(n: NormalizedText, tokens: Tokens): (readonly number[] | null)[] {
    const out: (readonly number[] | null)[] = new Array(tokens.count);
    for (let t = 0; t < out.length; t++) out[t] = this.lookup(n, tokens, t);
    return out;
  }

  /** Ids of the vocabulary words that token `t` is a spelling of (`killll` is `kill`; `kil` is not). */
  lookup(n: NormalizedText, tokens: Tokens, t: number): readonly number[] | null {
    const cls = tokens.classes[t]!;
    if (cls !== 0) return this.classAnswers[cls] ?? (this.classAnswers[cls] = this.classLookup(cls));
    const start = tokens.start[t]!;
    const table = (this.table ??= this.build());
    const form = table.formOf(n.text, start, tokens.end[t]!);
    if (form < 0) return null;
    // Most tokens spell one word: its shared `[id]` is returned, and a new list only for two or more.
    let one = -1;
    let out: number[] | null = null;
    for (let w = table.wordAt[form]!, end = table.wordAt[form + 1]!; w < end; w++) {
      if (!table.covers(n.runs, start, w)) continue;
      if (out !== null) out.push(table.ids[w]!);
      else if (one < 0) one = w;
      else out = [table.ids[one]!, table.ids[w]!];
    }
    return out ?? (one < 0 ? null : table.alone[one]!);
  }

  /** The table of every word: the last one's words, then the pending ones, each form's in the order they were added. */
  private build(): WordTable {
    const byForm = this.built?.words() ?? new Map<string, TableWord[]>();
    for (const [key, words] of this.pending) {
      const list = byForm.get(key);
      if (list) for (const word of words) list.push(word);
      else byForm.set(key, words);
    }
    this.pending = new Map();
    return (this.built = new WordTable(byForm));
  }

  private classLookup(cls: number): readonly number[] | null {
    let out: number[] | null = null;
    for (const [bit, id] of this.classIds) if ((cls & bit) !== 0) (out ??= []).push(id);
    return out;
  }
}

function sameRuns(a: Uint16Array, b: Uint16Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
