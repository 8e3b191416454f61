/**
 * Evaluate content against a compiled pack: detectors compute the facts once,
 * the rules engine decides which checks fire, and the findings of the fired
 * checks become violations, edits and sanitized posts.
 */
import type { EngineDecision, EvaluationInput, RequiredEdit, Violation } from './decision.js';
import type { CompiledCheck, CompiledPack } from './compile.js';
import { passes, type ScoreBar } from './compile-bars.js';
import type { DetectionInput, DetectorTrace, Finding, Post } from './detectors/detector.js';
import { normalizeForMatching, type NormalizedText } from './normalize.js';
import { tokenize, type Tokens } from './phrases/tokens.js';
import { splitPosts } from './posts.js';
import { mask } from './mask.js';
import { sanitize, sanitizingEdit, toEdit, toViolation, type SanitizingEdit } from './violations.js';

/** Violations (and required edits) reported per check and post; the rest are still masked in `sanitized`. */
export const MAX_REPORTED_PER_CHECK_AND_POST = 20;

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
  const { checks, pool, platform: defaultPlatform, threadSplit } = pack.internal;
  const posts = splitPosts(input.content, { split: threadSplit });
  const detection = detectionInput(posts, input.platform ?? defaultPlatform, input.metadata ?? {});
  const trace: TraceEntry[] | undefined = options.explain ? [] : undefined;

  const findings = new Map<string, Finding[]>();
  const hits: Record<string, number> = {};
  const signals: Record<string, SignalGroups> = {};
  const scores: Record<string, number> = {};
  const candidates: string[] = [];
  const fired = new Set<string>();
  // Model scores asked for early by a score bar, for the loop below to reuse.
  const early = new Map<CompiledCheck, number>();
  for (const check of checks) {
    const input = trace ? { ...detection, trace: (e: DetectorTrace) => trace.push({ check: check.id, ...e }) } : detection;
    // A check that a failed score bar keeps from firing is not detected (outside explain, whose trace lists its matches).
    const barred = !trace && check.bars !== undefined && failsABar(check.bars, detection, early);
    const found = check.detector && !barred ? check.detector.detect(input) : [];
    hits[check.id] = found.length;
    if (check.detector?.score) scores[check.id] = early.get(check) ?? check.detector.score(input);
    if (found.length > 0) {
      findings.set(check.id, found);
      const groups = signalGroups(found);
      if (groups) signals[check.id] = groups;
    }
    if (check.indexOnly) {
      if (found.length >= check.minHits) fired.add(check.id);
    } else if (check.alwaysRun || found.length >= check.minHits) {
      candidates.push(check.id);
    }
  }

  if (candidates.length > 0) {
    const facts = { hits, signals, scores, post_count: posts.length, platform: detection.platform, metadata: detection.metadata };
    const decided = pool.decide(candidates, facts);
    for (const id of decided.fired) fired.add(id);
    if (decided.rest.length > 0) for (const id of await pool.run(decided.rest, facts)) fired.add(id);
  }

  const violations: Violation[] = [];
  const warnings: Violation[] = [];
  const edits: RequiredEdit[] = [];
  const sanitizing: SanitizingEdit[] = [];
  for (const check of checks) {
    if (!fired.has(check.id)) continue;
    const list = findings.get(check.id) ?? [{ post: 0 }];
    const reported = new Map<number, number>();
    for (const finding of list) {
      // Every finding is masked in `sanitized`, but only the first few per check and post are
      // reported: 240 kB of one repeated term would otherwise answer ~30 MB of violations.
      const count = reported.get(finding.post) ?? 0;
      const reporting = count < MAX_REPORTED_PER_CHECK_AND_POST;
      const masked = finding.match !== undefined && (reporting || check.sanitize === 'mask') ? mask(finding.match) : undefined;
      const fix = sanitizingEdit(check, finding, masked);
      if (fix) sanitizing.push(fix);
      if (!reporting) continue;
      reported.set(finding.post, count + 1);
      const post = posts[finding.post]!;
      const violation = toViolation(check, finding, post, masked);
      (check.severity === 'block' ? violations : warnings).push(violation);
      edits.push(toEdit(check, finding, post, masked));
    }
  }

  return {
    decision: violations.length > 0 ? 'FAIL' : 'PASS',
    policy: { pack: pack.id, version: pack.version, hash: pack.hash },
    checks: pack.checks.map((c) => c.id),
    violations,
    warnings,
    required_edits: edits,
    sanitized: sanitize(posts, sanitizing),
    ...(trace ? { trace } : {}),
  };
}

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
  const posts = new Map<number, Set<string>>();
  const sentences = new Map<string, Set<string>>();
  for (const f of found) {
    if (f.signal === undefined) continue;
    let p = posts.get(f.post);
    if (!p) posts.set(f.post, (p = new Set()));
    p.add(f.signal);
    const key = `${f.post}:${f.sentence ?? 0}`;
    let s = sentences.get(key);
    if (!s) sentences.set(key, (s = new Set()));
    s.add(f.signal);
  }
  if (posts.size === 0) return undefined;
  const thread = new Set<string>();
  for (const p of posts.values()) for (const signal of p) thread.add(signal);
  return { posts: [...posts.values()].map((v) => [...v]), sentences: [...sentences.values()].map((v) => [...v]), thread: [[...thread]] };
}

/** Whether a score bar fails (a loop, not a closure per check and evaluation). */
function failsABar(bars: readonly ScoreBar[], input: DetectionInput, early: Map<CompiledCheck, number>): boolean {
  for (const bar of bars) if (!passes(bar, scoreOf(bar.model, input, early))) return true;
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
      if (!memos.has(key)) memos.set(key, compute());
      return memos.get(key) as T;
    },
    posts,
    platform,
    metadata,
    normalized,
    tokens: (index) => (tokens[index] ??= tokenize(normalized(index), posts[index]!.text)),
  };
}
