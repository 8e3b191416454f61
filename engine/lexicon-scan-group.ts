/**
 * One automaton scan for the lexicon matchers of a pack: their checks read the same normalised
 * posts, and each scan of a post is a chain of dependent table reads (~1 µs for 280 chars) that a
 * second matcher repeated. The group scans a text once with an automaton over the keys of all its
 * matchers and hands each matcher its own matches, in the order its own automaton gives them (by
 * end, longest first: the keys of one matcher ending at one place keep their order among all).
 */
import { keyScanner, type KeyScanner, type Visit } from './lexicon-automaton.js';
import type { Entry } from './lexicon-entries.js';

const NON_ASCII = /[^\x00-\x7f]/;

interface Found {
  starts: number[];
  ends: number[];
  entries: Entry[];
}

export class ScanGroup {
  readonly #members: Map<string, Entry>[] = [];
  #scanner: KeyScanner<readonly (Entry | undefined)[]> | undefined;
  #found: Found[] = [];
  /** The text `#found` holds the matches of. */
  #text: string | undefined;

  /**
   * A matcher's keys joined to the group: its member number, or -1 when a key is not ASCII (the
   * grapheme scanner's order is its own: such a matcher keeps its own automaton).
   */
  add(entries: Map<string, Entry>): number {
    for (const key of entries.keys()) if (NON_ASCII.test(key)) return -1;
    this.#members.push(entries);
    this.#scanner = undefined;
    this.#text = undefined;
    return this.#members.length - 1;
  }

  /** Calls `visit` for every match of member `member`'s keys in `text`, as its own automaton would. */
  forEachMatch(member: number, text: string, visit: Visit<Entry>): void {
    if (this.#text !== text) this.#scan(text);
    const found = this.#found[member]!;
    for (let i = 0; i < found.entries.length; i++) visit(found.starts[i]!, found.ends[i]!, found.entries[i]!);
  }

  #scan(text: string): void {
    this.#scanner ??= this.#build();
    const found = this.#found;
    for (const f of found) {
      f.starts.length = 0;
      f.ends.length = 0;
      f.entries.length = 0;
    }
    this.#text = undefined; // a scan that throws leaves no stale matches
    this.#scanner.forEachMatch(text, (start, end, entries) => {
      for (let k = 0; k < entries.length; k++) {
        const entry = entries[k];
        if (entry === undefined) continue;
        const f = found[k]!;
        f.starts.push(start);
        f.ends.push(end);
        f.entries.push(entry);
      }
    });
    this.#text = text;
  }

  #build(): KeyScanner<readonly (Entry | undefined)[]> {
    const count = this.#members.length;
    const union = new Map<string, (Entry | undefined)[]>();
    this.#members.forEach((entries, k) => {
      for (const [key, entry] of entries) {
        let slot = union.get(key);
        if (!slot) union.set(key, (slot = new Array<Entry | undefined>(count).fill(undefined)));
        slot[k] = entry;
      }
    });
    this.#found = this.#members.map(() => ({ starts: [], ends: [], entries: [] }));
    return keyScanner([...union]);
  }
}
