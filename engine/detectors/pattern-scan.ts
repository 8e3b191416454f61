/**
 * The `pattern` checks of a pack share one RE2Set, so that one DFA pass over a post says which
 * patterns of every check match. A set per check cost a pass each: five checks took 16 µs of a
 * clean 280-character post, one pass over all their patterns takes 5.
 *
 * Each pattern carries its check's flags inline, written exactly as an RE2Set with those flags
 * writes them (`(?m)(?s)(?i)` before the pattern), so it parses to the same expression and
 * matches as it would in a set of its own.
 */
import { RE2Set } from 're2js';
import type { CompileContext, DetectionInput, Post } from './detector.js';

/**
 * A set grows until its patterns' programs reach this many instructions, then a new one starts:
 * far below re2js's limit for one set (~1.4 M), so that a pack of many large patterns still
 * compiles, in a few sets.
 */
const MAX_SET_PROGRAM = 100_000;

/** One set of a pack's patterns: built while checks compile, then compiled (compilePackScans, or its first match). */
class PatternScan {
  private readonly set = new RE2Set(RE2Set.UNANCHORED, 0);
  private program = 0;
  private compiled = false;

  /** Whether `program` more instructions may join (a compiled set takes no more patterns). */
  fits(program: number): boolean {
    return !this.compiled && (this.program === 0 || this.program + program <= MAX_SET_PROGRAM);
  }

  /** Adds the patterns, each with its own program size; returns the id of the first (the rest follow). */
  add(patterns: readonly { source: string; program: number }[], flags: string): number {
    const first = this.set.add(inlineFlags(flags) + patterns[0]!.source);
    for (const p of patterns.slice(1)) this.set.add(inlineFlags(flags) + p.source);
    for (const p of patterns) this.program += p.program;
    return first;
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
 * Adds a check's patterns to its pack's scan (`ctx` is one per pack compilation) and returns
 * its view of the results. `program` is each pattern's compiled size (RE2JS.programSize).
 */
export function joinPackScan(ctx: CompileContext, patterns: readonly { source: string; program: number }[], flags: string): ScanSlice {
  let scans = scansByPack.get(ctx);
  if (!scans) scansByPack.set(ctx, (scans = []));
  const program = patterns.reduce((sum, p) => sum + p.program, 0);
  let scan = scans.at(-1);
  if (!scan || !scan.fits(program)) scans.push((scan = new PatternScan()));
  const first = scan.add(patterns, flags);
  // A check too large to share a set has one of its own, compiled now: a set over re2js's limit
  // is refused when the pack compiles, as when every check had its own set.
  if (program > MAX_SET_PROGRAM) scan.compile();
  const end = first + patterns.length;
  const shared = scan;
  return {
    matching(input, post) {
      const out: number[] = [];
      for (const id of shared.matching(input, post)) if (id >= first && id < end) out.push(id - first);
      return out;
    },
  };
}
