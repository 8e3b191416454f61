/**
 * The `pattern` checks of a pack share a few RE2Sets, so that one DFA pass per set over a post
 * says which patterns of every check match, and only those run again for their spans.
 *
 * Several sets, not one: re2js builds its DFA lazily and keeps at most `SET_DFA_MEMORY` of states
 * per set, starting again from nothing when a post needs more. One set of all the default pack's
 * patterns needed more on most new posts and so rebuilt its states on nearly every one (~1.2 ms
 * a post over 20,000 dev posts); in sets of at most 1,000 instructions with 32 MiB each the
 * states stay cached (24 µs a post once warm). Each set is a pass over the post (docs/performance.md,
 * session 15, measured set sizes of 1,000 to 4,000 on new posts and on one post repeated).
 *
 * Most passes are not needed: a set runs on a post only when the post contains, for one of its
 * patterns, the words that pattern cannot match without, as often as it needs them (pattern-needs.ts),
 * counted by one Aho–Corasick pass over the post in lower case for the whole pack. Patterns that need no word go
 * to sets of their own, so that they do not make the others run. A clean post does not reach the
 * scan at all (its checks' score bars fail first, compile-bars.ts).
 *
 * A set scans with each pattern loosened: a counted repetition wider than `LOOSEN_ABOVE`
 * (`.{0,120}?`, `[^.!?\n]{0,60}`) becomes unbounded (`.*?`). A DFA must count through such a gap,
 * so it needs a state for every distance it has seen each part at, and re2js built new states for
 * most new posts (the whole engine over the dev split's posts, each once: 0.85× with loosened
 * sets). The loosened pattern matches wherever the pattern does, and more: a set only says which
 * patterns to run, and the check's own exact pattern finds the matches (or none).
 *
 * Each pattern carries its check's flags inline, written exactly as an RE2Set with those flags
 * writes them (`(?m)(?s)(?i)` before the pattern), so it parses to the same expression and
 * matches as it would in a set of its own.
 */
import { RE2Set } from 're2js';
import type { CompileContext, DetectionInput, Post } from './detector.js';
import { PackLiterals, type ScanState } from './pack-literals.js';
import { anyHolds, flatNeeds, literalNeeds, type Need } from './pattern-needs.js';
import { readRe2 } from './re2-reader.js';

/**
 * A set takes patterns until their programs reach this many instructions, then a new one
 * starts; a larger pattern has a set of its own. Far below re2js's limit for one set (~1.4 M).
 */
const MAX_SET_PROGRAM = 1_000;

/** A counted repetition allowing more than this many more copies than its minimum is scanned as unbounded. */
const LOOSEN_ABOVE = 8;

/** The DFA state cache of each set (re2js's default is 8 MiB); states are only built as posts need them. */
const SET_DFA_MEMORY = 32 * 1024 * 1024;

/** One set of a pack's patterns: built while checks compile, then compiled (compilePackScans, or its first match). */
class PatternScan {
  private readonly set = new RE2Set(RE2Set.UNANCHORED, 0, SET_DFA_MEMORY);
  private program = 0;
  private compiled = false;
  /** Per pattern (by id): the literal lists it needs (ids in the pack's literals, with counts); none for a set that always runs. */
  private readonly needs: (readonly Need[])[] = [];
  /** `needs` as `flatNeeds` lays them out, made when the set compiles (it takes no more patterns then). */
  private plan: Int32Array = new Int32Array(0);

  /** Its place in a ScanState's answers. */
  private readonly index: number;

  /** `filtered`: every pattern of the set needs some words (the set runs only on posts that have them). */
  constructor(
    readonly filtered: boolean,
    private readonly literals: PackLiterals,
  ) {
    this.index = literals.placeOfSet();
  }

  /** Whether `program` more instructions may join (a compiled set takes no more patterns). */
  fits(program: number): boolean {
    return !this.compiled && (this.program === 0 || this.program + program <= MAX_SET_PROGRAM);
  }

  /** Adds a pattern of `program` instructions needing `needs` (literal ids); returns its id in the set. */
  add(pattern: { source: string; program: number }, flags: string, needs: readonly Need[]): number {
    this.program += pattern.program;
    this.needs.push(needs);
    return this.set.add(inlineFlags(flags) + loosened(pattern.source));
  }

  /** Ids of the patterns that match the post, ascending; one DFA pass per post and evaluation, none when no pattern can match. */
  matching(state: ScanState, input: DetectionInput, post: Post): readonly number[] {
    const perPost = (state.ids[this.index] ??= new Array<readonly number[] | undefined>(input.posts.length));
    return (perPost[post.index] ??= this.mayMatch(state, input, post) ? this.match(post.text) : NO_IDS);
  }

  /** False only if no pattern of the set has every literal it needs in the post. */
  private mayMatch(state: ScanState, input: DetectionInput, post: Post): boolean {
    if (!this.filtered) return true;
    this.compile();
    return anyHolds(this.literals.found(state, input, post), this.plan);
  }

  /** Compiles the set (once); it takes no more patterns after. Throws re2js's error for a set too large. */
  compile(): void {
    if (this.compiled) return;
    this.set.compile();
    this.plan = flatNeeds(this.needs);
    this.compiled = true;
  }

  private match(text: string): number[] {
    this.compile();
    return this.set.match(text);
  }
}

const NO_IDS: readonly number[] = Object.freeze([]);

/**
 * Compiles the pack's shared sets and its literal automaton once every check has joined them, so
 * that the pack compile pays for them (tens of ms for the default pack), not its first evaluation.
 */
export function compilePackScans(ctx: CompileContext): void {
  const pack = packsOf.get(ctx);
  if (!pack) return;
  for (const scan of pack.scans) scan.compile();
  pack.literals.compile();
}

/** `source` with its wide counted repetitions unbounded (`{0,120}` → `*`, `{2,60}` → `{2,}`); as written when it cannot be read. */
export function loosened(source: string): string {
  let read: ReturnType<typeof readRe2>;
  try {
    read = readRe2(source);
  } catch {
    return source;
  }
  const wide = read.counted.filter(({ min, max }) => max >= 0 && max - min > LOOSEN_ABOVE);
  if (wide.length === 0) return source;
  const chars = [...read.chars];
  // From the last to the first, so that earlier positions stay where they were.
  for (const { from, to, min } of wide.reverse()) chars.splice(from, to - from, min === 0 ? '*' : `{${min},}`);
  return chars.join('');
}

/** The flags of a pattern as RE2Set.add writes them before it (`m`, then `s`, then `i` outermost first). */
function inlineFlags(flags: string): string {
  return (flags.includes('m') ? '(?m)' : '') + (flags.includes('s') ? '(?s)' : '') + (flags.includes('i') ? '(?i)' : '');
}

const packsOf = new WeakMap<CompileContext, { scans: PatternScan[]; literals: PackLiterals }>();

/** A check's patterns in its pack's shared scan. */
export interface ScanSlice {
  /** The indexes (into the check's patterns, ascending) of those that match the post. */
  matching(input: DetectionInput, post: Post): number[];
}

/**
 * Adds a check's patterns to its pack's scans (`ctx` is one per pack compilation) and returns
 * its view of the results. `program` is each pattern's compiled size (RE2JS.programSize).
 */
export function joinPackScan(ctx: CompileContext, patterns: readonly { source: string; program: number }[], flags: string): ScanSlice {
  let pack = packsOf.get(ctx);
  // A check compiled after the pack's scans ran (tests do) starts scans and literals of its own.
  if (!pack || pack.literals.compiled) packsOf.set(ctx, (pack = { scans: [], literals: new PackLiterals() }));
  const { scans, literals } = pack;
  // Per set this check is in: the set's id of each pattern → the pattern's index in the check.
  const parts = new Map<PatternScan, Map<number, number>>();
  patterns.forEach((pattern, index) => {
    const wanted = literalNeeds(pattern.source, flags);
    const needs = literals.idsOf(wanted.map(({ list }) => list)).map((ids, i) => ({ ids, count: wanted[i]!.count }));
    const filtered = needs.length > 0;
    // The last set of the same kind that has room, else a new one.
    let scan = lastOfKind(scans, filtered);
    if (!scan || !scan.fits(pattern.program)) scans.push((scan = new PatternScan(filtered, literals)));
    const id = scan.add(pattern, flags, needs);
    if (!parts.has(scan)) parts.set(scan, new Map());
    parts.get(scan)!.set(id, index);
    // A pattern too large to share a set has one of its own, compiled now: one over re2js's
    // limit is refused with its check, as when every check had its own set.
    if (pattern.program > MAX_SET_PROGRAM) scan.compile();
  });
  const views = [...parts].map(([scan, indexOf]) => ({ scan, indexOf }));
  return {
    matching(input, post) {
      const out: number[] = [];
      const state = literals.state(input);
      for (let v = 0; v < views.length; v++) {
        const { scan, indexOf } = views[v]!;
        const ids = scan.matching(state, input, post);
        for (let i = 0; i < ids.length; i++) {
          const index = indexOf.get(ids[i]!);
          if (index !== undefined) out.push(index);
        }
      }
      // Ascending already: a check's patterns fill the sets in order, each set answers its ids in order.
      return out;
    },
  };
}

function lastOfKind(scans: readonly PatternScan[], filtered: boolean): PatternScan | undefined {
  for (let i = scans.length - 1; i >= 0; i--) if (scans[i]!.filtered === filtered) return scans[i];
  return undefined;
}
