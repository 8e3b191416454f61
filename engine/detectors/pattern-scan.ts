/**
 * The `pattern` checks of a pack share a few RE2Sets, so that one DFA pass per set over a post
 * says which patterns of every check match, and only those run again for their spans.
 *
 * Several sets, not one: re2js builds its DFA lazily and keeps at most `SET_DFA_MEMORY` of states
 * per set, starting again from nothing when a post needs more. One set of all the default pack's
 * patterns needed more on most new posts and so rebuilt its states on nearly every one (~1.2 ms
 * a post over 20,000 dev posts); in sets of at most 1,000 instructions with 32 MiB each the
 * states stay cached (24 µs a post once warm). Each set is a pass over the post, so fewer, larger
 * sets cost less on one post repeated (the benchmark's post with violations: one set 7 µs, 11 sets
 * of 2,000 30 µs, 22 sets of 1,000 55 µs) but more on posts not seen before, which is what a
 * service gets: the whole engine over the 99,575 dev posts, each once, cost 1.10× as much with
 * sets of 2,000 and 1.3× with sets of 4,000 (docs/performance.md, session 15). A clean post
 * does not reach the scan at all (its checks' score bars fail first, compile-bars.ts).
 *
 * Each pattern carries its check's flags inline, written exactly as an RE2Set with those flags
 * writes them (`(?m)(?s)(?i)` before the pattern), so it parses to the same expression and
 * matches as it would in a set of its own.
 */
import { RE2Set } from 're2js';
import type { CompileContext, DetectionInput, Post } from './detector.js';

/**
 * A set takes patterns until their programs reach this many instructions, then a new one
 * starts; a larger pattern has a set of its own. Far below re2js's limit for one set (~1.4 M).
 */
const MAX_SET_PROGRAM = 1_000;

/** The DFA state cache of each set (re2js's default is 8 MiB); states are only built as posts need them. */
const SET_DFA_MEMORY = 32 * 1024 * 1024;

/** One set of a pack's patterns: built while checks compile, then compiled (compilePackScans, or its first match). */
class PatternScan {
  private readonly set = new RE2Set(RE2Set.UNANCHORED, 0, SET_DFA_MEMORY);
  private program = 0;
  private compiled = false;

  /** Whether `program` more instructions may join (a compiled set takes no more patterns). */
  fits(program: number): boolean {
    return !this.compiled && (this.program === 0 || this.program + program <= MAX_SET_PROGRAM);
  }

  /** Adds a pattern of `program` instructions; returns its id in the set. */
  add(pattern: { source: string; program: number }, flags: string): number {
    this.program += pattern.program;
    return this.set.add(inlineFlags(flags) + pattern.source);
  }

  /** Ids of the patterns that match the post, ascending; one DFA pass per post and evaluation. */
  matching(input: DetectionInput, post: Post): readonly number[] {
    const perPost = input.memo(this, () => new Array<number[] | undefined>(input.posts.length));
    return (perPost[post.index] ??= this.match(post.text));
  }

  /** Compiles the set (once); it takes no more patterns after. Throws re2js's error for a set too large. */
  compile(): void {
    if (this.compiled) return;
    this.set.compile();
    this.compiled = true;
  }

  private match(text: string): number[] {
    this.compile();
    return this.set.match(text);
  }
}

/**
 * Compiles the pack's shared sets once every check has joined them, so that the pack compile
 * pays for them (tens of ms for the default pack), not its first evaluation.
 */
export function compilePackScans(ctx: CompileContext): void {
  for (const scan of scansByPack.get(ctx) ?? []) scan.compile();
}

/** The flags of a pattern as RE2Set.add writes them before it (`m`, then `s`, then `i` outermost first). */
function inlineFlags(flags: string): string {
  return (flags.includes('m') ? '(?m)' : '') + (flags.includes('s') ? '(?s)' : '') + (flags.includes('i') ? '(?i)' : '');
}

const scansByPack = new WeakMap<CompileContext, PatternScan[]>();

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
  let scans = scansByPack.get(ctx);
  if (!scans) scansByPack.set(ctx, (scans = []));
  // Per set this check is in: the set's id of each pattern → the pattern's index in the check.
  const parts = new Map<PatternScan, Map<number, number>>();
  patterns.forEach((pattern, index) => {
    let scan = scans.at(-1);
    if (!scan || !scan.fits(pattern.program)) scans.push((scan = new PatternScan()));
    const id = scan.add(pattern, flags);
    if (!parts.has(scan)) parts.set(scan, new Map());
    parts.get(scan)!.set(id, index);
    // A pattern too large to share a set has one of its own, compiled now: one over re2js's
    // limit is refused with its check, as when every check had its own set.
    if (pattern.program > MAX_SET_PROGRAM) scan.compile();
  });
  const views = [...parts];
  return {
    matching(input, post) {
      const out: number[] = [];
      for (const [scan, indexOf] of views) {
        for (const id of scan.matching(input, post)) {
          const index = indexOf.get(id);
          if (index !== undefined) out.push(index);
        }
      }
      // Ascending already: a check's patterns fill the sets in order, each set answers its ids in order.
      return out;
    },
  };
}
