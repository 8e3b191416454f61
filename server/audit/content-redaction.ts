/**
 * Content off means off: with GATEHOUSE_AUDIT_STORE_CONTENT=0 the row's `content` is null,
 * and nothing else in the row may hold the text or a reversible form of it either. The
 * decision body as answered does: `sanitized` is the text with profanity masked, a finding's
 * `evidence` is the matched text with its middle masked, and packs render `{{evidence}}`,
 * `{{claim}}` and other matched text into `message` and `suggestedFix` (and a required edit's
 * `replacement`). So before such a row is written anywhere (database or outbox), those go:
 *
 * - `sanitized` becomes [] and the body says `content_redacted: true`;
 * - each finding keeps code, check, severity, category, post, span and revealed_by; its
 *   evidence is dropped and its message and fix are replaced by text that quotes nothing;
 * - a required edit loses `replacement` and `note`;
 * - a blocking error whose fix was a finding's rendered fix gets the same neutral fix.
 *
 * What stays: content_sha256 and content_size (a receipt and an override need the hash; it
 * lets someone who already holds a candidate text confirm it, not recover it) and spans.
 */
import type { AuditRow } from './audit-store.js';

export const NOT_STORED_FIX = 'Not stored: content storage is off (GATEHOUSE_AUDIT_STORE_CONTENT=0) and this text could quote the content.';

type Json = Record<string, unknown>;

/** The row as it may be stored: unchanged when its content is kept, without any text of it otherwise. */
export function storedForm(row: AuditRow): AuditRow {
  if (row.content !== null) return row;
  const rendered = new Set<string>();
  // A finding sits in up to three lists (advisory repeats each violation as a warning, and the row's
  // own `violations` holds them again): redacted once, the same object in each.
  const redacted = new Map<object, Json>();
  const finding = (value: unknown): unknown => {
    if (!isFinding(value)) return value;
    const done = redacted.get(value);
    if (done) return done;
    rendered.add(value.message);
    rendered.add(value.suggestedFix);
    // The other keys in their order, then message and fix: what `{ evidence, message, suggestedFix, ...kept }`
    // gave, without V8's generic rest copy (~10 µs a finding on the evaluate path, three per finding in advisory).
    const kept: Json = {};
    for (const key of Object.keys(value)) if (key !== 'evidence' && key !== 'message' && key !== 'suggestedFix') kept[key] = value[key];
    kept.message = `${value.code} (check ${value.check}, post ${Number(value.post) + 1}).`;
    kept.suggestedFix = NOT_STORED_FIX;
    redacted.set(value, kept);
    return kept;
  };
  const findings = (list: unknown): unknown => (Array.isArray(list) ? list.map(finding) : list);

  const response: Json = { ...row.response, sanitized: [], content_redacted: true };
  if (Array.isArray(response.violations)) response.violations = findings(response.violations);
  if (Array.isArray(response.warnings)) response.warnings = findings(response.warnings);
  if (Array.isArray(response.required_edits)) {
    response.required_edits = response.required_edits.map((edit) => {
      if (!isObject(edit)) return edit;
      const { replacement: _replacement, note: _note, ...kept } = edit;
      return kept;
    });
  }
  if (isObject(response.error)) {
    const error: Json = { ...response.error };
    if (isObject(error.details) && Array.isArray(error.details.violations)) error.details = { ...error.details, violations: findings(error.details.violations) };
    if (typeof error.suggestedFix === 'string' && rendered.has(error.suggestedFix)) error.suggestedFix = NOT_STORED_FIX;
    response.error = error;
  }
  return { ...row, violations: row.violations.map(finding), response };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A violation or a warning repeated from one: it names the check that produced it. */
function isFinding(value: unknown): value is Json & { code: string; check: string; message: string; suggestedFix: string } {
  return isObject(value) && typeof value.check === 'string' && typeof value.code === 'string' && typeof value.message === 'string' && typeof value.suggestedFix === 'string';
}
