/**
 * The literals a pack's scanned patterns need (pattern-scan.ts, pattern-needs.ts), counted in a
 * post by one Aho–Corasick pass over its lower-cased text, and the per-evaluation state of the scans.
 */
import { keyScanner, type KeyScanner } from '../lexicon-automaton.js';
import type { DetectionInput, Post } from './detector.js';
import { caseSensitive, foldedPost } from './pattern-literals.js';
import { MAX_COUNT } from './pattern-needs.js';

/** One evaluation's answers: per post its literal counts, per set (by `index`) and post the ids that match. */
export interface ScanState {
  found: (Uint8Array | undefined)[];
  ids: ((readonly number[] | undefined)[] | undefined)[];
}

const NON_ASCII = /[^\0-\x7f]/;

/** The literals the pack's filtered patterns need, and which of them a post contains. */
export class PackLiterals {
  private readonly ids = new Map<string, number>();
  private scanner: KeyScanner<number> | undefined;
  private symbols: [string, number][] = [];
  private cased: [string, number][] = [];

  /** Whether the automaton is built: no literal may join any more. */
  get compiled(): boolean {
    return this.scanner !== undefined;
  }

  /** Ids for a pattern's literal lists; new literals join the pack's (before `compile`). */
  idsOf(lists: readonly (readonly string[])[]): number[][] {
    if (this.scanner) throw new Error('a literal joined after the automaton was built');
    return lists.map((list) =>
      list.map((literal) => {
        let id = this.ids.get(literal);
        if (id === undefined) this.ids.set(literal, (id = this.ids.size));
        return id;
      }),
    );
  }

  /** How many sets share these literals: each has its place in a ScanState's answers. */
  private sets = 0;

  /** A set's place in a ScanState's answers (once per set, at compile time). */
  placeOfSet(): number {
    return this.sets++;
  }

  /**
   * The evaluation's state of the pack's scans, one memo entry asked once per pattern check: a memo
   * entry (and its compute closure) per set and per literal table cost more than the answers.
   */
  state(input: DetectionInput): ScanState {
    return input.memo(this, () => ({ found: new Array(input.posts.length), ids: new Array(this.sets) }));
  }

  /** Per literal id, how often the post holds it, lower-cased (or as written: `caseSensitive`, and symbols: MAX_COUNT when at all); once per post and evaluation. */
  found(state: ScanState, input: DetectionInput, post: Post): Uint8Array {
    return (state.found[post.index] ??= this.scan(post.text, foldedPost(input, post)));
  }

  /**
   * Builds the automaton (once); no literal joins after. The lower-case ASCII literals only: one
   * non-ASCII key would make it a grapheme scanner. The few others are looked for one by one:
   * symbols (emoji) only in a post with a non-ASCII char, case-sensitive ones in the text as written.
   */
  compile(): KeyScanner<number> {
    if (this.scanner) return this.scanner;
    const entries = [...this.ids];
    this.cased = entries.filter(([literal]) => caseSensitive(literal));
    this.symbols = entries.filter(([literal]) => !caseSensitive(literal) && NON_ASCII.test(literal));
    return (this.scanner = keyScanner(entries.filter(([literal]) => !caseSensitive(literal) && !NON_ASCII.test(literal))));
  }

  /** `folded`: the text as `foldForLiterals` gives it. */
  private scan(text: string, folded: string): Uint8Array {
    const found = new Uint8Array(this.ids.size);
    this.compile().forEachMatch(folded, (_start, _end, id) => {
      if (found[id]! < MAX_COUNT) found[id]!++;
    });
    if (this.symbols.length > 0 && NON_ASCII.test(folded)) {
      for (const [literal, id] of this.symbols) if (folded.includes(literal)) found[id] = MAX_COUNT;
    }
    for (const [literal, id] of this.cased) if (text.includes(literal)) found[id] = MAX_COUNT;
    return found;
  }
}
