/**
 * What the findings of a fired check become in a decision: violations with rendered messages,
 * required edits, and the edits safe to apply without a person (`sanitized`).
 */
import type { RequiredEdit, Violation } from './decision.js';
import type { CompiledCheck } from './compile.js';
import type { Finding, Post } from './detectors/detector.js';
import { mask } from './mask.js';
import { render, type TemplateVars } from './template.js';

/** Violations (and required edits) reported per check and post; the rest are still masked in `sanitized`. */
export const MAX_REPORTED_PER_CHECK_AND_POST = 20;

/** What the fired checks of one evaluation report, filled check by check in check order. */
export interface Reported {
  violations: Violation[];
  warnings: Violation[];
  edits: RequiredEdit[];
  sanitizing: SanitizingEdit[];
}

/**
 * Reports one fired check's findings. A check's violations and its edits are each a set, as an
 * OPA `deny` set is: several rules of a phrase set that match the same words (a scam promise and
 * its call to act both on "link in bio") gave the same violation and edit several times over, 3 %
 * of the violations on the scoring corpus. Identical ones are reported once; the cap counts
 * different violations. Every finding is still masked in `sanitized`.
 */
export function report(check: CompiledCheck, list: readonly Finding[], posts: readonly Post[], out: Reported): void {
  // Only a check with more findings than that can reach the cap in some post.
  const reported = list.length > MAX_REPORTED_PER_CHECK_AND_POST ? new Map<number, number>() : undefined;
  const into = check.severity === 'block' ? out.violations : out.warnings;
  // This check's own entries start here in the lists shared by the checks (a check with one finding has nothing to repeat).
  const ownViolations = list.length > 1 ? into.length : -1;
  const ownEdits = out.edits.length;
  for (const finding of list) {
    // 240 kB of one repeated term would otherwise answer ~30 MB of violations.
    const count = reported?.get(finding.post) ?? 0;
    const reporting = count < MAX_REPORTED_PER_CHECK_AND_POST;
    const masked = finding.match !== undefined && (reporting || check.sanitize === 'mask') ? mask(finding.match) : undefined;
    const fix = sanitizingEdit(check, finding, masked);
    if (fix) out.sanitizing.push(fix);
    if (!reporting) continue;
    const post = posts[finding.post]!;
    const violation = toViolation(check, finding, post, masked);
    if (ownViolations < 0 || !repeats(into, ownViolations, violation, sameViolation)) {
      reported?.set(finding.post, count + 1);
      into.push(violation);
    }
    // Its own set: two findings alike in their violation may still ask for different edits.
    const edit = toEdit(check, finding, post, masked);
    if (ownViolations < 0 || !repeats(out.edits, ownEdits, edit, sameEdit)) out.edits.push(edit);
  }
}

/**
 * Whether `entry` equals one of list[from…]: same post and span first (a repeat has both), then
 * the fields a finding can vary within a check. A scan, not a set of keys: a string key per
 * entry cost more than the repeats it saved, and a check reports at most 20 entries per post.
 */
function repeats<T extends Violation | RequiredEdit>(list: readonly T[], from: number, entry: T, same: (a: T, b: T) => boolean): boolean {
  for (let i = from; i < list.length; i++) {
    const other = list[i]!;
    if (other.post === entry.post && other.span?.[0] === entry.span?.[0] && other.span?.[1] === entry.span?.[1] && same(other, entry)) return true;
  }
  return false;
}

const sameViolation = (a: Violation, b: Violation): boolean =>
  a.message === b.message && a.suggestedFix === b.suggestedFix && a.evidence === b.evidence && a.revealed_by?.join('\n') === b.revealed_by?.join('\n');

const sameEdit = (a: RequiredEdit, b: RequiredEdit): boolean => a.action === b.action && a.replacement === b.replacement && a.by === b.by && a.note === b.note;

/** Finding spans are relative to the post; the caller's string may hold several posts. */
function shift(span: [number, number] | undefined, post: Post): [number, number] | undefined {
  return span ? [span[0] + post.offset, span[1] + post.offset] : undefined;
}

/**
 * The template variables of a violation: those every violation offers (COMMON_VARS), then the
 * detector's own. Looked up by name instead of merged with `{ ...finding.vars, … }`: the vars'
 * shape differs per detector, and that spread cost ~3 µs per violation (a megamorphic clone).
 */
function violationVars(check: CompiledCheck, finding: Finding, post: Post, evidence: string | undefined): TemplateVars {
  return (name) => {
    switch (name) {
      case 'post': return post.index;
      case 'post_number': return post.index + 1;
      case 'evidence': return evidence;
      case 'check': return check.id;
      case 'code': return check.code;
      default: return finding.vars?.[name];
    }
  };
}

/** An edit's template variables: the post's, then the detector's own. */
function editVars(finding: Finding, post: Post): TemplateVars {
  return (name) => (name === 'post' ? post.index : name === 'post_number' ? post.index + 1 : finding.vars?.[name]);
}

/** `evidence` is the finding's match masked (mask(finding.match)), computed once per finding by the caller. */
export function toViolation(check: CompiledCheck, finding: Finding, post: Post, evidence: string | undefined): Violation {
  const vars = violationVars(check, finding, post, evidence);
  const violation: Violation = {
    code: check.code,
    check: check.id,
    severity: check.severity,
    category: check.category,
    post: post.index,
    message: render(check.message, vars),
    suggestedFix: render(check.suggestedFix, vars),
  };
  const span = shift(finding.span, post);
  if (span) violation.span = span;
  if (evidence !== undefined) violation.evidence = evidence;
  if (finding.revealed_by?.length) violation.revealed_by = finding.revealed_by;
  return violation;
}

export function toEdit(check: CompiledCheck, finding: Finding, post: Post, masked: string | undefined): RequiredEdit {
  const edit: RequiredEdit = {
    check: check.id,
    code: check.code,
    post: post.index,
    action: finding.edit?.action ?? check.edit.action,
  };
  const span = shift(finding.edit?.span ?? finding.span, post);
  if (span) edit.span = span;
  const replacement =
    finding.edit?.replacement ??
    (check.edit.replacement === 'mask'
      ? masked
      : check.edit.replacement && render(check.edit.replacement, editVars(finding, post)));
  if (replacement !== undefined) edit.replacement = replacement;
  if (finding.edit?.by !== undefined) edit.by = finding.edit.by;
  const note = finding.edit?.note ?? check.edit.note;
  if (note !== undefined) edit.note = note;
  return edit;
}

export interface SanitizingEdit {
  post: number;
  span: [number, number];
  replacement: string;
}

/**
 * Only edits that are safe without a person: masking, and a detector's own autofix. Spans are
 * post-relative. `masked` is mask(finding.match), computed by the caller for a masking check.
 */
export function sanitizingEdit(check: CompiledCheck, finding: Finding, masked: string | undefined): SanitizingEdit | undefined {
  if (check.sanitize === 'mask' && finding.span && masked !== undefined) {
    return { post: finding.post, span: finding.span, replacement: masked };
  }
  if (check.sanitize === 'autofix' && finding.autofix && finding.edit?.replacement !== undefined) {
    const span = finding.edit.span ?? finding.span;
    if (span) return { post: finding.post, span, replacement: finding.edit.replacement };
  }
  return undefined;
}

export function sanitize(posts: Post[], edits: SanitizingEdit[]): string[] {
  const out = posts.map((p) => p.text);
  if (edits.length === 0) return out;
  // Right to left per post; overlapping edits keep the first one applied (the rightmost).
  edits.sort((a, b) => a.post - b.post || b.span[0] - a.span[0]);
  let from = 0;
  while (from < edits.length) {
    const post = edits[from]!.post;
    let to = from;
    while (to < edits.length && edits[to]!.post === post) to++;
    out[post] = applied(out[post]!, edits, from, to);
    from = to;
  }
  return out;
}

/**
 * The text with edits[from, to) applied (one post's, right to left), built from pieces in one
 * pass: a slice and a concatenation per edit flattened the whole text each time, ~50 % of a
 * 100,000-character post with thousands of masked terms.
 */
function applied(text: string, edits: readonly SanitizingEdit[], from: number, to: number): string {
  const kept: SanitizingEdit[] = [];
  let floor = Infinity;
  for (let i = from; i < to; i++) {
    const edit = edits[i]!;
    if (edit.span[1] > floor) continue;
    kept.push(edit);
    floor = edit.span[0];
  }
  const parts: string[] = [];
  let cursor = 0;
  for (let k = kept.length - 1; k >= 0; k--) {
    const { span, replacement } = kept[k]!;
    parts.push(text.slice(cursor, span[0]), replacement);
    cursor = span[1];
  }
  parts.push(text.slice(cursor));
  return parts.join('');
}
