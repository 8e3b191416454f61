/**
 * The decision shape that `evaluate()` returns (DESIGN.md, without the
 * service fields such as request_id, stage, mode, receipt). Plain data only.
 */

export type Severity = 'block' | 'warn';
export type Category = 'profanity' | 'harmful' | 'tos' | 'format' | 'provenance';
export type EngineDecisionStatus = 'PASS' | 'FAIL';

/**
 * Which normalisation revealed a match, so a reviewer sees why it fired: the
 * normaliser's (accent … case) and the lexicon matcher's (self_censoring,
 * phonetic, spacing, compound). See docs/detection.md.
 */
export type Revelation =
  | 'accent'
  | 'zero-width'
  | 'homoglyph'
  | 'leetspeak'
  | 'repeats'
  | 'separators'
  | 'case'
  | 'self_censoring'
  | 'phonetic'
  | 'spacing'
  | 'compound';

export interface Violation {
  code: string;
  check: string;
  severity: Severity;
  category: Category;
  /** 0-based index of the post in the thread. */
  post: number;
  /**
   * [start, end) in UTF-16 units of the caller's original string: the whole
   * string when content was a string, `content[post]` when it was an array.
   * Absent for findings about a post as a whole (length, missing tag).
   */
  span?: [number, number];
  /** Matched text with its middle masked (`f**k`), safe to show and to log. */
  evidence?: string;
  revealed_by?: Revelation[];
  message: string;
  suggestedFix: string;
}

export type EditAction = 'replace' | 'delete' | 'insert' | 'shorten' | 'append' | 'review';

export interface RequiredEdit {
  check: string;
  code: string;
  post: number;
  span?: [number, number];
  action: EditAction;
  /** Text to put in place of the span (replace/insert/append). */
  replacement?: string;
  /** For `shorten`: how many units (per the platform's counting) to remove. */
  by?: number;
  note?: string;
}

export interface PolicyRef {
  pack: string;
  version: string;
  hash: string;
}

export interface EngineDecision {
  decision: EngineDecisionStatus;
  policy: PolicyRef;
  /** Ids of every check the pack ran over this content. */
  checks: string[];
  /** Violations of `block` checks. */
  violations: Violation[];
  /** Violations of `warn` checks. */
  warnings: Violation[];
  required_edits: RequiredEdit[];
  /** Posts with profanity masked and deterministic fixes (renumbering) applied. */
  sanitized: string[];
}

export interface EvaluationInput {
  /** A string is split into posts by the pack's thread rules; an array is a thread. */
  content: string | string[];
  /** Platform whose length rules apply (`x`, `linkedin`, …); the pack default otherwise. */
  platform?: string;
  metadata?: Record<string, unknown>;
}
