/**
 * Compile a resolved pack once: detectors build their matchers, templates are
 * split, and each check becomes one json-rules-engine rule over the facts.
 */
import type { RuleProperties, TopLevelCondition } from 'json-rules-engine';
import { attachBars, type ScoreBar } from './compile-bars.js';
import type { Category, EditAction, Severity } from './decision.js';
import type { CompiledDetector, CompileContext, PackBuilt, ResolvedLexicon } from './detectors/detector.js';
import { detectorTypes } from './detectors/index.js';
import { EnginePool } from './engine-pool.js';
import { formatPath, PackError, type PackIssue } from './errors.js';
import { ParamError } from './detectors/detector.js';
import { compilePackScans } from './detectors/pattern-scan.js';
import { contentHash } from './hash.js';
import { readPrebuilt } from './prebuilt.js';
import { unknownScores } from './score-references.js';
import { keepResolved } from './resolved-text.js';
import { releaseInflector } from './phrases/inflect.js';
import { resolvedPack as resolvedPackSchema, type CheckSpec, type ResolvedPack } from './pack-schema.js';
import { checkTemplate, COMMON_VARS, compileTemplate, TemplateError, type Template } from './template.js';
import { validateAgainst } from './validate.js';

export interface CheckInfo {
  id: string;
  code: string;
  severity: Severity;
  category: Category;
  /** Corpus labels this check detects when a pack is scored (default: its category). */
  labels: string[];
}

export interface CompiledCheck extends CheckInfo {
  detector?: CompiledDetector;
  /** Findings needed before the rule is worth running (rule indexing). */
  minHits: number;
  /** A check with a raw `when:` condition must always be offered to the rules engine. */
  alwaysRun: boolean;
  /**
   * No `when:`: its rule is only `hits >= min_hits`, which the rule index already knows, so it
   * fires without a json-rules-engine run (each run deep-clones every rule: STACK-NOTES).
   */
  indexOnly: boolean;
  message: Template;
  suggestedFix: Template;
  edit: { action: EditAction; replacement?: Template | 'mask'; note?: string };
  sanitize: 'mask' | 'autofix' | 'none';
  /** Score bars (compile-bars.ts): when one fails, the check cannot fire and its detector is skipped. */
  bars?: ScoreBar[];
  /**
   * With `bars`: the checks whose conditions read this one's facts (by place in `checks`, with
   * their own bars); the detector is skipped only when none of them can fire either. */
  barReaders?: { index: number; bars?: ScoreBar[] }[];
}

export interface CompiledPack {
  id: string;
  version: string;
  /** `sha256:` over the canonical JSON of the resolved pack (lexicons included). */
  hash: string;
  description: string;
  /** The document compiled (kept as JSON text between reads: see keepResolved). */
  readonly resolved: ResolvedPack;
  /** `resolved` as JSON text, in its key order: what is sent to worker threads. */
  readonly resolvedJson: string;
  checks: CheckInfo[];
  /** Engine internals; not part of the public contract. */
  readonly internal: {
    checks: CompiledCheck[];
    /** Each enabled check's place in `checks`, by id. */
    checkIndex: ReadonlyMap<string, number>;
    /** The ids of `checks`, in order (a decision's `checks` is a copy). */
    checkIds: readonly string[];
    pool: EnginePool;
    platform: string;
    threadSplit: 'auto' | 'none' | 'separator';
    /** The detectors' shared structures (prebuilt.ts keeps them between processes). */
    built: PackBuilt;
  };
}

// Compiling the default pack takes seconds. A compiled pack is immutable, so a process that
// compiles the same document again (a pack registry that restarts, a second service in one
// process, every test that builds one) gets the pack it compiled before, by content hash. Held
// weakly: a version nobody holds any more is collected, and its entry with it.
const compiledByHash = new Map<string, WeakRef<CompiledPack>>();
const forget = new FinalizationRegistry<string>((hash) => {
  if (compiledByHash.get(hash)?.deref() === undefined) compiledByHash.delete(hash);
});

export interface CompileOptions {
  /** Return the pack compiled earlier from an identical document, if it is still alive. @defaultValue true */
  reuse?: boolean;
  /**
   * `prebuiltOf` bytes of this very document, compiled before (by this engine build): its phrase
   * sets and models are taken from them, and the document is trusted as validated, with their hash.
   */
  prebuilt?: Uint8Array;
  /** The document's JSON text, when `resolved` was parsed from it: kept as the pack's `resolvedJson` instead of a second stringify. */
  resolvedJson?: string;
}

export function compilePack(resolved: ResolvedPack, options: CompileOptions = {}): CompiledPack {
  const prebuilt = options.prebuilt ? readPrebuilt(options.prebuilt) : undefined;
  if (!prebuilt) {
    const schemaIssues = validateAgainst(resolvedPackSchema, resolved);
    if (schemaIssues.length > 0) throw new PackError(schemaIssues.map(({ at: _at, ...issue }) => issue));
  }
  const hash = prebuilt?.hash ?? contentHash(resolved);
  const reuse = options.reuse ?? true;
  const earlier = reuse ? compiledByHash.get(hash)?.deref() : undefined;
  if (earlier) return earlier;
  const pack = compileFresh(resolved, hash, prebuilt?.built, options.resolvedJson);
  if (reuse) {
    compiledByHash.set(hash, new WeakRef(pack));
    forget.register(pack, hash);
  }
  return pack;
}

function compileFresh(resolved: ResolvedPack, hash: string, built: PackBuilt = {}, resolvedJson?: string): CompiledPack {
  const lexicons = new Map<string, ResolvedLexicon>(
    Object.entries(resolved.lexicons).map(([id, l]) => [id, { id, ...l }]),
  );
  const phrases = new Map(Object.entries(resolved.phrases ?? {}));
  const models = new Map(Object.entries(resolved.models ?? {}));
  const ctx: CompileContext = { lexicons, phrases, models, defaults: { platform: resolved.defaults.platform }, built };
  const issues: PackIssue[] = [];
  const checks: CompiledCheck[] = [];
  const rules = new Map<string, RuleProperties>();
  const seen = new Set<string>();

  resolved.checks.forEach((spec, index) => {
    if (spec.enabled === false) return;
    const at = `checks[${index}]`;
    if (seen.has(spec.id)) issues.push({ path: `${at}.id`, message: `duplicate check id "${spec.id}"` });
    seen.add(spec.id);
    if (!spec.detector && !spec.when) {
      issues.push({ path: at, message: 'a check needs a detector, a when: condition, or both' });
      return;
    }
    try {
      checks.push(compileCheck(spec, ctx));
      rules.set(spec.id, ruleFor(spec));
    } catch (error) {
      // A ParamError names the parameter (e.g. patterns[2]) so that the issue points at its own line.
      const where = error instanceof ParamError ? `.${formatPath(error.at)}` : '';
      const path = error instanceof TemplateError ? `${at}.${error.field}` : spec.detector ? `${at}.detector${where}` : `${at}.when`;
      issues.push({ path, message: (error as Error).message });
    }
  });
  issues.push(...unknownScores(resolved));
  if (issues.length > 0) throw new PackError(issues);
  compilePackScans(ctx);
  attachBars(resolved, checks);
  // A detector's closures may hold `ctx` (V8 keeps a scope's captured variables together): emptied,
  // it no longer holds the pack's specs, whose model weights and lexicon terms every major GC
  // would otherwise mark (~400k objects for the default pack; issue 14).
  lexicons.clear();
  phrases.clear();
  models.clear();
  releaseInflector();

  return keepResolved({
    id: resolved.id,
    version: resolved.version,
    hash,
    description: resolved.description,
    checks: checks.map(({ id, code, severity, category, labels }) => ({ id, code, severity, category, labels })),
    // `built` not enumerable: tens of MB of typed arrays that a deep comparison or a log of the
    // pack would walk (vitest's `not.toBe` compares two different packs deeply for its hint).
    internal: Object.defineProperty(
      {
        checks,
        checkIndex: new Map(checks.map((c, i) => [c.id, i])),
        checkIds: checks.map((c) => c.id),
        pool: new EnginePool(rules),
        platform: resolved.defaults.platform,
        threadSplit: resolved.defaults.thread_split as 'auto' | 'none' | 'separator',
      },
      'built',
      { value: built, enumerable: false },
    ) as unknown as CompiledPack['internal'],
  }, resolved, resolvedJson);
}

function compileCheck(spec: CheckSpec, ctx: CompileContext): CompiledCheck {
  let detector: CompiledDetector | undefined;
  const known: string[] = [...COMMON_VARS];
  if (spec.detector) {
    const type = detectorTypes.get(spec.detector.type);
    if (!type) throw new Error(`unknown detector type "${spec.detector.type}"`);
    detector = type.compile(spec.detector as never, ctx);
    known.push(...type.vars);
  }
  const replacement = spec.required_edit.replacement;
  const message = compileTemplate(spec.message);
  const suggestedFix = compileTemplate(spec.suggestedFix);
  const edited = replacement === undefined || replacement === 'mask' ? replacement : compileTemplate(replacement);
  checkTemplate('message', message, known);
  checkTemplate('suggestedFix', suggestedFix, known);
  if (typeof edited === 'object') checkTemplate('required_edit.replacement', edited, known);
  return {
    id: spec.id,
    code: spec.code,
    severity: spec.severity,
    category: spec.category,
    labels: spec.labels ?? [spec.category],
    detector,
    minHits: spec.min_hits ?? 1,
    alwaysRun: spec.when !== undefined && spec.detector === undefined,
    indexOnly: spec.when === undefined,
    message,
    suggestedFix,
    edit: {
      action: spec.required_edit.action,
      replacement: edited,
      note: spec.required_edit.note,
    },
    sanitize: spec.sanitize ?? (replacement === 'mask' ? 'mask' : 'none'),
  };
}

/** One rule per check: enough findings, and the author's `when:` if any. Facts: see docs/pack-authoring.md. */
function ruleFor(spec: CheckSpec): RuleProperties {
  const all: unknown[] = [];
  if (spec.detector) {
    all.push({ fact: 'hits', path: `$.${spec.id}`, operator: 'greaterThanInclusive', value: spec.min_hits ?? 1 });
  }
  if (spec.when) all.push(spec.when);
  return {
    name: spec.id,
    conditions: { all } as TopLevelCondition,
    event: { type: 'check', params: { check: spec.id } },
  };
}
