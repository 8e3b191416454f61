/**
 * Policy impact diff: evaluate one corpus under two compiled packs and report
 * what a pull request would change — decisions that flip and violation codes
 * gained, lost or re-graded — with masked examples and the checks responsible.
 * Pure: no file, git or database access (see diff-command.ts for those).
 */
import { evaluate, type CompiledPack, type EngineDecision, type Severity } from '../index.js';
import type { CorpusItem } from './diff-corpus.js';
import { maskedExample } from './diff-examples.js';

// ---- Report ---------------------------------------------------------------------------------------

export type Decision = EngineDecision['decision'];
export type Flip = 'PASS→FAIL' | 'FAIL→PASS';

export interface PackIdentity {
  /** What the user named: a folder, `ref:path` or `id@version`. */
  source: string;
  id: string;
  version: string;
  hash: string;
}

export interface CodeChange {
  code: string;
  /** `severity`: the code is reported under both packs, but as block under one and warn under the other. */
  change: 'gained' | 'lost' | 'severity';
  /** Severity under each pack; null when the code is absent. */
  old: Severity | null;
  new: Severity | null;
  /** Check ids that reported the code (under either pack). */
  checks: string[];
}

export interface ItemChange {
  id: string;
  line: number;
  old: Decision;
  new: Decision;
  flip: Flip | null;
  codes: CodeChange[];
  checks: string[];
  /** The content with sensitive violation spans masked, cut to about 80 characters. */
  example: string;
}

export interface CodeSummary {
  code: string;
  gained: number;
  lost: number;
  severity_changed: number;
  /** Items that flip and carry a change of this code. */
  pass_to_fail: number;
  fail_to_pass: number;
  checks: string[];
  /** Ids of the first few items with this change. */
  examples: string[];
}

export interface DiffReport {
  old: PackIdentity;
  new: PackIdentity;
  /** Same content hash: the packs cannot differ in behaviour. */
  identical: boolean;
  /** Things a reviewer should know beyond the flips, e.g. a version that was not bumped. */
  notes: string[];
  corpus: { source?: string; size: number };
  summary: {
    changed_items: number;
    flips: number;
    pass_to_fail: number;
    fail_to_pass: number;
    /** Items whose decision stays the same but whose codes change. */
    codes_only: number;
    unchanged_items: number;
  };
  by_code: CodeSummary[];
  /** Flips first (PASS→FAIL, then FAIL→PASS), then code-only changes; corpus order within each. */
  changes: ItemChange[];
}

export interface DiffOptions {
  oldSource?: string;
  newSource?: string;
  corpusSource?: string;
  /** Length of an example text. @defaultValue 80 */
  exampleLength?: number;
}

const EXAMPLES_PER_CODE = 3;

/** Evaluates every corpus item under both packs (sequentially: the corpus is small and order stays stable). */
export async function diffPacks(oldPack: CompiledPack, newPack: CompiledPack, corpus: CorpusItem[], opts: DiffOptions = {}): Promise<DiffReport> {
  const changes: ItemChange[] = [];
  for (const item of corpus) {
    const input = { content: item.content, platform: item.platform, metadata: item.metadata };
    const before = await evaluateItem(oldPack, input, item);
    const after = await evaluateItem(newPack, input, item);
    const change = compareItem(item, before, after, opts.exampleLength ?? 80);
    if (change) changes.push(change);
  }
  changes.sort((a, b) => flipRank(a.flip) - flipRank(b.flip) || a.line - b.line);
  return {
    old: identity(oldPack, opts.oldSource),
    new: identity(newPack, opts.newSource),
    identical: oldPack.hash === newPack.hash,
    notes: packNotes(oldPack, newPack),
    corpus: { ...(opts.corpusSource === undefined ? {} : { source: opts.corpusSource }), size: corpus.length },
    summary: summarize(changes, corpus.length),
    by_code: summarizeCodes(changes),
    changes,
  };
}

/** True when anything would change for a reviewer: a flip or a code gained, lost or re-graded. */
export function hasChanges(report: DiffReport): boolean {
  return report.changes.length > 0;
}

/** An engine failure on one item names the item: the report must not silently miss it. */
export class ItemEvaluationError extends Error {
  readonly code = 'EVALUATION_FAILED';
  constructor(
    readonly item: CorpusItem,
    readonly pack: string,
    cause: unknown,
  ) {
    super(`corpus item "${item.id}" (line ${item.line}) could not be evaluated under ${pack}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'ItemEvaluationError';
  }
}

async function evaluateItem(pack: CompiledPack, input: Parameters<typeof evaluate>[1], item: CorpusItem): Promise<EngineDecision> {
  try {
    return await evaluate(pack, input);
  } catch (error) {
    throw new ItemEvaluationError(item, `${pack.id}@${pack.version}`, error);
  }
}

function identity(pack: CompiledPack, source: string | undefined): PackIdentity {
  return { source: source ?? `${pack.id}@${pack.version}`, id: pack.id, version: pack.version, hash: pack.hash };
}

/** A changed pack under an unchanged id@version could never be published: say so before the merge. */
function packNotes(oldPack: CompiledPack, newPack: CompiledPack): string[] {
  if (oldPack.id !== newPack.id || oldPack.version !== newPack.version || oldPack.hash === newPack.hash) return [];
  return [
    `${newPack.id}@${newPack.version} changed (new hash) without a version bump: ` +
      'bump `version` in pack.yaml, because a published version is immutable and the server refuses other content under it.',
  ];
}

function flipRank(flip: Flip | null): number {
  return flip === 'PASS→FAIL' ? 0 : flip === 'FAIL→PASS' ? 1 : 2;
}

// ---- Comparing one item ---------------------------------------------------------------------------

interface CodeProfile {
  severity: Severity;
  checks: Set<string>;
}

/** Code → strongest severity it is reported with, and the checks reporting it. */
function profile(decision: EngineDecision): Map<string, CodeProfile> {
  const codes = new Map<string, CodeProfile>();
  for (const v of [...decision.violations, ...decision.warnings]) {
    const known = codes.get(v.code);
    if (!known) codes.set(v.code, { severity: v.severity, checks: new Set([v.check]) });
    else {
      known.checks.add(v.check);
      if (v.severity === 'block') known.severity = 'block';
    }
  }
  return codes;
}

function compareCodes(before: EngineDecision, after: EngineDecision): CodeChange[] {
  const old = profile(before);
  const now = profile(after);
  const codes = [...new Set([...old.keys(), ...now.keys()])].sort();
  const changes: CodeChange[] = [];
  for (const code of codes) {
    const o = old.get(code);
    const n = now.get(code);
    if (o && n && o.severity === n.severity) continue;
    const change = !o ? 'gained' : !n ? 'lost' : 'severity';
    const checks = [...new Set([...(o?.checks ?? []), ...(n?.checks ?? [])])].sort();
    changes.push({ code, change, old: o?.severity ?? null, new: n?.severity ?? null, checks });
  }
  return changes;
}

function compareItem(item: CorpusItem, before: EngineDecision, after: EngineDecision, exampleLength: number): ItemChange | undefined {
  const codes = compareCodes(before, after);
  const flip: Flip | null = before.decision === after.decision ? null : before.decision === 'PASS' ? 'PASS→FAIL' : 'FAIL→PASS';
  if (!flip && codes.length === 0) return undefined;
  const changed = new Set(codes.map((c) => c.code));
  return {
    id: item.id,
    line: item.line,
    old: before.decision,
    new: after.decision,
    flip,
    codes,
    checks: [...new Set(codes.flatMap((c) => c.checks))].sort(),
    example: maskedExample(item.content, [before, after], changed, exampleLength),
  };
}

// ---- Summaries ------------------------------------------------------------------------------------

function summarize(changes: ItemChange[], size: number): DiffReport['summary'] {
  const passToFail = changes.filter((c) => c.flip === 'PASS→FAIL').length;
  const failToPass = changes.filter((c) => c.flip === 'FAIL→PASS').length;
  return {
    changed_items: changes.length,
    flips: passToFail + failToPass,
    pass_to_fail: passToFail,
    fail_to_pass: failToPass,
    codes_only: changes.filter((c) => c.flip === null).length,
    unchanged_items: size - changes.length,
  };
}

function summarizeCodes(changes: ItemChange[]): CodeSummary[] {
  const byCode = new Map<string, CodeSummary & { checkSet: Set<string> }>();
  for (const item of changes) {
    for (const c of item.codes) {
      let s = byCode.get(c.code);
      if (!s) {
        s = { code: c.code, gained: 0, lost: 0, severity_changed: 0, pass_to_fail: 0, fail_to_pass: 0, checks: [], examples: [], checkSet: new Set() };
        byCode.set(c.code, s);
      }
      if (c.change === 'gained') s.gained++;
      else if (c.change === 'lost') s.lost++;
      else s.severity_changed++;
      if (item.flip === 'PASS→FAIL') s.pass_to_fail++;
      if (item.flip === 'FAIL→PASS') s.fail_to_pass++;
      c.checks.forEach((check) => s.checkSet.add(check));
      if (s.examples.length < EXAMPLES_PER_CODE) s.examples.push(item.id);
    }
  }
  return [...byCode.values()]
    .map(({ checkSet, ...s }) => ({ ...s, checks: [...checkSet].sort() }))
    .sort((a, b) => b.gained + b.lost + b.severity_changed - (a.gained + a.lost + a.severity_changed) || a.code.localeCompare(b.code));
}
