/**
 * Policy impact diff: evaluate one corpus under two compiled packs and report
 * what a pull request would change — decisions that flip and violation codes
 * gained, lost or re-graded — with masked examples and the checks responsible.
 * Pure: no file, git or database access (see diff-command.ts for those).
 */
import { evaluate, type CompiledPack, type EngineDecision, type Severity, type Violation } from '../../engine/index.js';
import { mask } from '../../engine/mask.js';

// ---- Corpus ---------------------------------------------------------------------------------------

export interface CorpusItem {
  id: string;
  content: string | string[];
  platform?: string;
  metadata?: Record<string, unknown>;
  /** 1-based line in the JSONL file, so that a report can point back to it. */
  line: number;
}

/** A corpus line that cannot be used. The diff refuses the whole corpus: a skipped line would hide a flip. */
export class CorpusError extends Error {
  readonly code = 'CORPUS_INVALID';

  constructor(
    /** 1-based; undefined for a problem with the corpus as a whole. */
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    super(line === undefined ? problem : `line ${line}: ${problem}`);
    this.name = 'CorpusError';
  }
}

/** Parses JSONL: one `{"id","content","platform"?,"metadata"?}` per line; blank lines are ignored. */
export function parseCorpus(text: string): CorpusItem[] {
  const items: CorpusItem[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const item = parseCorpusLine(raw, line);
    const first = seen.get(item.id);
    // Items are reported by id: two lines with one id would make the report ambiguous.
    if (first !== undefined) throw new CorpusError(line, `id "${item.id}" is already used on line ${first}`);
    seen.set(item.id, line);
    items.push(item);
  });
  if (items.length === 0) throw new CorpusError(undefined, 'the corpus has no items');
  return items;
}

function parseCorpusLine(raw: string, line: number): CorpusItem {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new CorpusError(line, `not valid JSON (${(error as Error).message})`);
  }
  if (!isRecord(value)) throw new CorpusError(line, 'must be a JSON object {"id", "content", "platform"?, "metadata"?}');
  const { id, content, platform, metadata } = value;
  if (typeof id !== 'string' || id.trim() === '') throw new CorpusError(line, '"id" must be a non-empty string');
  if (!isContent(content)) throw new CorpusError(line, '"content" must be a string or a non-empty array of strings');
  if (platform !== undefined && typeof platform !== 'string') throw new CorpusError(line, '"platform" must be a string');
  if (metadata !== undefined && !isRecord(metadata)) throw new CorpusError(line, '"metadata" must be an object');
  const item: CorpusItem = { id, content, line };
  if (platform !== undefined) item.platform = platform;
  if (metadata !== undefined) item.metadata = metadata;
  return item;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isContent(value: unknown): value is string | string[] {
  if (typeof value === 'string') return true;
  return Array.isArray(value) && value.length > 0 && value.every((post) => typeof post === 'string');
}

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

// ---- Masked examples ------------------------------------------------------------------------------

/**
 * Categories whose matched text is masked in examples: a PR comment must not
 * repeat slurs, threats or self-harm statements. TOS, format and provenance
 * spans (prize bait, thread labels, long lines, statistical claims) are not
 * harmful to read, and masking them would hide exactly what the reviewer
 * needs to judge the change.
 */
const MASKED_CATEGORIES = new Set<Violation['category']>(['profanity', 'harmful']);
const POST_SEPARATOR = ' ¶ ';

/** Masks the spans reported by either pack, then cuts a window around the first changed finding. */
export function maskedExample(content: string | string[], decisions: EngineDecision[], changed: Set<string>, length = 80): string {
  const texts = typeof content === 'string' ? [content] : content;
  const all = decisions.flatMap((d) => [...d.violations, ...d.warnings]);
  // Spans point into the caller's string (string content) or into content[post] (array content).
  const textIndex = (v: Violation) => (typeof content === 'string' ? 0 : v.post);
  const masked = texts.map((text, i) =>
    maskSpans(
      text,
      all.filter((v) => v.span && MASKED_CATEGORIES.has(v.category) && textIndex(v) === i).map((v) => v.span!),
    ),
  );
  const focusViolation = all.find((v) => v.span && changed.has(v.code));
  let focus: number | undefined;
  if (focusViolation) {
    const i = textIndex(focusViolation);
    focus = masked.slice(0, i).reduce((sum, t) => sum + t.length + POST_SEPARATOR.length, 0) + focusViolation.span![0];
  }
  return excerpt(masked.join(POST_SEPARATOR), focus, length);
}

/** Masks each span (overlapping spans merged first, so that mask() sees one word group). */
function maskSpans(text: string, spans: [number, number][]): string {
  const merged = mergeSpans(spans.map(([s, e]) => [Math.max(0, s), Math.min(text.length, e)] as [number, number]).filter(([s, e]) => e > s));
  let out = text;
  for (const [start, end] of merged.reverse()) out = out.slice(0, start) + mask(out.slice(start, end)) + out.slice(end);
  return out;
}

function mergeSpans(spans: [number, number][]): [number, number][] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

/** A window of about `length` characters, starting a little before `focus`, whitespace collapsed. */
function excerpt(text: string, focus: number | undefined, length: number): string {
  const lead = Math.floor(length / 4);
  let start = focus !== undefined && focus > length - lead ? focus - lead : 0;
  let end = Math.min(text.length, start + length);
  if (end - start < length) start = Math.max(0, end - length);
  // Prefer cutting at a space close by, and never cut a surrogate pair in half.
  if (start > 0) start = nearSpace(text, start, 1, focus ?? end);
  if (end < text.length) end = nearSpace(text, end, -1, start);
  if (start > 0 && isLowSurrogate(text.charCodeAt(start))) start++;
  if (end < text.length && isLowSurrogate(text.charCodeAt(end))) end--;
  const body = text.slice(start, end).replace(/\s+/gu, ' ').trim();
  return `${start > 0 ? '…' : ''}${body}${end < text.length ? '…' : ''}`;
}

/** The first whitespace within 12 units of `at` in `step` direction, not crossing `limit`; else `at`. */
function nearSpace(text: string, at: number, step: 1 | -1, limit: number): number {
  for (let i = at, n = 0; n < 12 && (step > 0 ? i < limit : i > limit); i += step, n++) {
    if (/\s/u.test(text[i]!)) return step > 0 ? i + 1 : i;
  }
  return at;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
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

// ---- Markdown -------------------------------------------------------------------------------------

export interface MarkdownOptions {
  /** Item rows shown before "… and N more". @defaultValue 50 (a PR comment holds at most 65,536 characters) */
  maxRows?: number;
}

/** A table a reviewer pastes into the pull request (GitHub-flavoured markdown). */
export function renderMarkdown(report: DiffReport, opts: MarkdownOptions = {}): string {
  const maxRows = opts.maxRows ?? 50;
  const lines = [
    `### Policy impact: \`${report.old.id}@${report.old.version}\` → \`${report.new.id}@${report.new.version}\``,
    '',
    '| | old | new |',
    '|---|---|---|',
    `| source | ${code(report.old.source)} | ${code(report.new.source)} |`,
    `| pack | ${code(`${report.old.id}@${report.old.version}`)} | ${code(`${report.new.id}@${report.new.version}`)} |`,
    `| hash | ${code(shortHash(report.old.hash))} | ${code(shortHash(report.new.hash))} |`,
    '',
    summaryLine(report),
    ...report.notes.map((note) => `\n> **Note:** ${note}`),
  ];
  if (report.changes.length === 0) return `${lines.join('\n')}\n`;
  lines.push('', '#### By code', '', '| code | gained | lost | severity changed | PASS→FAIL | FAIL→PASS | checks | items |', '|---|--:|--:|--:|--:|--:|---|---|');
  for (const s of report.by_code) {
    lines.push(`| ${code(s.code)} | ${s.gained} | ${s.lost} | ${s.severity_changed} | ${s.pass_to_fail} | ${s.fail_to_pass} | ${s.checks.map(code).join(', ')} | ${s.examples.map(code).join(', ')} |`);
  }
  lines.push('', '#### Items', '', '| item | decision | codes | checks | example (masked) |', '|---|---|---|---|---|');
  for (const c of report.changes.slice(0, maxRows)) {
    lines.push(`| ${code(c.id)} | ${decisionCell(c)} | ${c.codes.map(codeCell).join(', ')} | ${c.checks.map(code).join(', ')} | ${code(c.example)} |`);
  }
  const hidden = report.changes.length - maxRows;
  if (hidden > 0) lines.push('', `… and ${hidden} more item(s); run with \`--format json\` for all of them.`);
  return `${lines.join('\n')}\n`;
}

function summaryLine(report: DiffReport): string {
  const s = report.summary;
  const size = `${report.corpus.size} corpus item${report.corpus.size === 1 ? '' : 's'}${report.corpus.source ? ` (${code(report.corpus.source)})` : ''}`;
  const same = report.identical ? ' The two packs have the same hash.' : '';
  if (s.changed_items === 0) return `**No decision or code changes** over ${size}.${same}`;
  return (
    `**${s.flips} decision${s.flips === 1 ? '' : 's'} flip** over ${size}: ` +
    `${s.pass_to_fail} PASS → FAIL, ${s.fail_to_pass} FAIL → PASS; ` +
    `${s.codes_only} more item${s.codes_only === 1 ? '' : 's'} change codes only.${same}`
  );
}

/** Enough of the hash to tell versions apart in a comment; the JSON report has it whole. */
function shortHash(hash: string): string {
  return hash.replace(/^(sha256:[0-9a-f]{16})[0-9a-f]+$/, '$1…');
}

function decisionCell(c: ItemChange): string {
  if (!c.flip) return `${c.old} (unchanged)`;
  return `${c.old} → **${c.new}**`;
}

function codeCell(c: CodeChange): string {
  if (c.change === 'gained') return `+${c.code}${c.new === 'warn' ? ' (warn)' : ''}`;
  if (c.change === 'lost') return `−${c.code}${c.old === 'warn' ? ' (warn)' : ''}`;
  return `${c.code} ${c.old}→${c.new}`;
}

/**
 * Inline code keeps user text from rendering as markdown, links or @mentions.
 * A `|` must still be escaped inside a table cell; backticks cannot be, so they become quotes.
 */
function code(text: string): string {
  return `\`${text.replace(/`/g, "'").replace(/\|/g, '\\|') || ' '}\``;
}
