/**
 * Evaluate content against a compiled pack: detectors compute the facts once,
 * the rules engine decides which checks fire, and the findings of the fired
 * checks become violations, edits and sanitized posts.
 */
import type { EngineDecision, EvaluationInput } from './decision.js';
import type { CompiledCheck, CompiledPack } from './compile.js';
import { passes, type ScoreBar } from './compile-bars.js';
import type { DetectionInput, DetectorTrace, Finding, Post } from './detectors/detector.js';
import { normalizeForMatching, type NormalizedText } from './normalize.js';
import { tokenize, type Tokens } from './phrases/tokens.js';
import { splitPosts } from './posts.js';
import { report, sanitize, type Reported } from './violations.js';

/** A detector step with the check it belongs to (`evaluate(…, { explain: true })`). */
export interface TraceEntry extends DetectorTrace {
  check: string;
}

export interface EvaluateOptions {
  /** Also return `trace`: every phrase match and every match a guard suppressed. Off on the service path. */
  explain?: boolean;
}

export async function evaluate(
  pack: CompiledPack,
  input: EvaluationInput,
  options: EvaluateOptions = {},
): Promise<EngineDecision & { trace?: TraceEntry[] }> {
  const { checks, checkIndex, checkIds, pool, platform: defaultPlatform, threadSplit } = pack.internal;
  const posts = splitPosts(input.content, { split: threadSplit });
  const detection = detectionInput(posts, input.platform ?? defaultPlatform, input.metadata ?? {});
  const trace: TraceEntry[] | undefined = options.explain ? [] : undefined;

  // Per check, by its place in `checks`: its findings, and whether it fired.
  const findings: (readonly Finding[] | undefined)[] = new Array(checks.length);
  const fired = new Uint8Array(checks.length);
  const counts: number[] = new Array(checks.length);
  const signals: Record<string, SignalGroups> = {};
  const scores: Record<string, number> = {};
  const candidates: string[] = [];
  // Model scores asked for early by a score bar, for the loop below to reuse.
  const early = new Map<CompiledCheck, number>();
  // Checks whose bars failed but whose facts other checks read: decided after the rest (below).
  let deferred: number[] | undefined;
  // Detection stays synchronous, with no await until every check has run: detectors reuse
  // scratch buffers kept between evaluations (the classifier's feature lists).
  for (let k = 0; k < checks.length + (deferred?.length ?? 0); k++) {
    const c = k < checks.length ? k : deferred![k - checks.length]!;
    const check = checks[c]!;
    const input = trace ? { ...detection, trace: (e: DetectorTrace) => trace.push({ check: check.id, ...e }) } : detection;
    // A check that a failed score bar keeps from firing is not detected (outside explain, whose trace lists its matches).
    let barred = !trace && check.bars !== undefined && failsABar(check.bars, detection, early);
    if (barred && check.barReaders) {
      // Its hits and signals matter only to a reader that can fire: known once every other check has detected.
      if (k < checks.length) { (deferred ??= []).push(c); continue; }
      barred = !readerCanFire(check.barReaders, checks, counts, detection, early);
    }
    const found = check.detector && !barred ? check.detector.detect(input) : NONE;
    counts[c] = found.length;
    if (check.detector?.score) scores[check.id] = early.get(check) ?? check.detector.score(input);
    if (found.length > 0) {
      findings[c] = found;
      const groups = signalGroups(found);
      if (groups) signals[check.id] = groups;
    }
    if (check.indexOnly) {
      if (found.length >= check.minHits) fired[c] = 1;
    } else if (check.alwaysRun || found.length >= check.minHits) {
      candidates.push(check.id);
      // A deferred check offered after the rest goes to the rules engine in check order all the same.
      if (k >= checks.length) candidates.sort((a, b) => checkIndex.get(a)! - checkIndex.get(b)!);
    }
  }

  if (candidates.length > 0) {
    const facts = { hits: hitsFact(checks, counts), signals, scores, post_count: posts.length, platform: detection.platform, metadata: detection.metadata };
    const decided = pool.decide(candidates, facts);
    for (const id of decided.fired) fired[checkIndex.get(id)!] = 1;
    if (decided.rest.length > 0) for (const id of await pool.run(decided.rest, facts)) fired[checkIndex.get(id)!] = 1;
  }

  const out: Reported = { violations: [], warnings: [], edits: [], sanitizing: [] };
  for (let c = 0; c < checks.length; c++) if (fired[c] === 1) report(checks[c]!, findings[c] ?? WHOLE_POST, posts, out);
  const { violations, warnings, edits, sanitizing } = out;

  return {
    decision: violations.length > 0 ? 'FAIL' : 'PASS',
    policy: { pack: pack.id, version: pack.version, hash: pack.hash },
    checks: checkIds.slice(),
    violations,
    warnings,
    required_edits: edits,
    sanitized: sanitize(posts, sanitizing),
    ...(trace ? { trace } : {}),
  };
}

/** A check that finds nothing (no detector, or one a score bar skips). */
const NONE: readonly Finding[] = Object.freeze([]);
/** What a fired check without findings reports: one violation about its first post. */
const WHOLE_POST: readonly Finding[] = Object.freeze([Object.freeze({ post: 0 })]);

/**
 * The `signals` fact of one check: the signal names found in each post, in each sentence, and in
 * the whole thread (one group), so that a check can combine cues a thread spreads over its posts.
 */
interface SignalGroups {
  posts: string[][];
  sentences: string[][];
  thread: string[][];
}

function signalGroups(found: readonly Finding[]): SignalGroups | undefined {
  // Groups in the order their first finding comes, each signal once in the order it first comes
  // (lists searched with `includes`: a check has a few dozen signals at most).
  let posts: Map<number, string[]> | undefined;
  let sentences: Map<number | string, string[]> | undefined;
  for (const f of found) {
    if (f.signal === undefined) continue;
    posts ??= new Map();
    sentences ??= new Map();
    let p = posts.get(f.post);
    if (!p) posts.set(f.post, (p = []));
    if (!p.includes(f.signal)) p.push(f.signal);
    const key = sentenceKey(f.post, f.sentence ?? 0);
    let s = sentences.get(key);
    if (!s) sentences.set(key, (s = []));
    if (!s.includes(f.signal)) s.push(f.signal);
  }
  if (!posts || !sentences) return undefined;
  const thread: string[] = [];
  for (const p of posts.values()) for (const signal of p) if (!thread.includes(signal)) thread.push(signal);
  return { posts: [...posts.values()], sentences: [...sentences.values()], thread: [thread] };
}

/** One key per (post, sentence): a number for the integers detectors give, else the `post:sentence` string it replaced. */
function sentenceKey(post: number, sentence: number): number | string {
  return Number.isInteger(post) && Number.isInteger(sentence) && post >= 0 && sentence >= 0 && post < 2 ** 20 && sentence < 2 ** 32
    ? post * 2 ** 32 + sentence
    : `${post}:${sentence}`;
}

/** Per pack (its checks): the `hits` fact from the counts in check order. */
const hitsFacts = new WeakMap<readonly CompiledCheck[], (counts: readonly number[]) => Record<string, number>>();

function hitsFact(checks: readonly CompiledCheck[], counts: readonly number[]): Record<string, number> {
  let make = hitsFacts.get(checks);
  if (!make) hitsFacts.set(checks, (make = hitsMaker(checks.map((check) => check.id))));
  return make(counts);
}

/**
 * One object literal over the pack's check ids, compiled once per pack: storing ~30 ids one by
 * one took a keyed store each into an object that turns into a dictionary past a dozen
 * properties (~0.5 µs per evaluation); a literal is built from one template. Same keys, order
 * and values as the stores (quoted keys: `"__proto__": 3` is ignored as `o.__proto__ = 3` is).
 */
function hitsMaker(ids: readonly string[]): (counts: readonly number[]) => Record<string, number> {
  const byStores = (counts: readonly number[]): Record<string, number> => {
    const hits: Record<string, number> = {};
    ids.forEach((id, c) => (hits[id] = counts[c]!));
    return hits;
  };
  try {
    const fields = ids.map((id, c) => `${JSON.stringify(id)}: counts[${c}]`).join(', ');
    return new Function('counts', `return { ${fields} };`) as (counts: readonly number[]) => Record<string, number>;
  } catch {
    return byStores; // code generation disallowed (--disallow-code-generation-from-strings)
  }
}

/** Whether a score bar fails (a loop, not a closure per check and evaluation). */
function failsABar(bars: readonly ScoreBar[], input: DetectionInput, early: Map<CompiledCheck, number>): boolean {
  for (const bar of bars) if (!passes(bar, scoreOf(bar.model, input, early))) return true;
  return false;
}

/**
 * Whether some check that reads a barred check's facts can fire: one offered to the rules engine
 * (a rule not run reads nothing) whose own bars pass (a failed bar decides it false whatever it
 * reads). A reader not detected yet (no count) was deferred: its bars failed. A reader has a
 * `when:`, so it is never index-only.
 */
function readerCanFire(readers: NonNullable<CompiledCheck['barReaders']>, checks: readonly CompiledCheck[], counts: readonly number[], input: DetectionInput, early: Map<CompiledCheck, number>): boolean {
  for (const { index, bars } of readers) {
    const reader = checks[index]!;
    const offered = reader.alwaysRun || counts[index]! >= reader.minHits;
    if (offered && !(bars !== undefined && failsABar(bars, input, early))) return true;
  }
  return false;
}

/** A classifier check's score (the `scores` fact), computed once per evaluation. */
function scoreOf(model: CompiledCheck, input: DetectionInput, early: Map<CompiledCheck, number>): number {
  let score = early.get(model);
  if (score === undefined) early.set(model, (score = model.detector!.score!(input)));
  return score;
}

function detectionInput(posts: Post[], platform: string, metadata: Record<string, unknown>): DetectionInput {
  const cache: (NormalizedText | undefined)[] = new Array(posts.length);
  const tokens: (Tokens | undefined)[] = new Array(posts.length);
  const normalized = (index: number): NormalizedText => (cache[index] ??= normalizeForMatching(posts[index]!.text));
  const memos = new Map<object, unknown>();
  return {
    memo: <T>(key: object, compute: () => T): T => {
      // One lookup when the value is there (the common case: detectors share memos).
      const value = memos.get(key);
      if (value !== undefined || memos.has(key)) return value as T;
      const computed = compute();
      memos.set(key, computed);
      return computed;
    },
    posts,
    platform,
    metadata,
    normalized,
    tokens: (index) => (tokens[index] ??= tokenize(normalized(index), posts[index]!.text)),
  };
}
