import type { RequiredEdit, Revelation } from '../decision.js';
import type { NormalizedText } from '../normalize.js';

/** One post of the thread under evaluation, computed once per evaluation. */
export interface Post {
  index: number;
  /** The post's text exactly as the caller sent it. */
  text: string;
  /** Offset of `text` in the caller's original string (0 for array content). */
  offset: number;
}

/** What every detector gets: the posts and the request context. */
export interface DetectionInput {
  posts: Post[];
  platform: string;
  metadata: Record<string, unknown>;
  /** The post's matching view (engine/normalize.ts), computed at most once per post per evaluation. */
  normalized(post: number): NormalizedText;
}

/**
 * A detector's finding. Spans are relative to the post's `text`; the
 * evaluator adds the post offset so that spans point into the caller's string.
 */
export interface Finding {
  post: number;
  span?: [number, number];
  /** The matched text, unmasked; the evaluator masks it for output. */
  match?: string;
  revealed_by?: Revelation[];
  /** Values for the check's message and suggestedFix templates. */
  vars?: Record<string, string | number>;
  /** A detector-specific edit (e.g. the correct numbering label). */
  edit?: Omit<RequiredEdit, 'check' | 'code' | 'post'> & { span?: [number, number] };
  /** True when applying `edit` is safe to do automatically in `sanitized`. */
  autofix?: boolean;
}

/** Shared, immutable things a detector may use at compile time. */
export interface CompileContext {
  /** Resolved lexicons of the pack by id. */
  lexicons: ReadonlyMap<string, ResolvedLexicon>;
  /** Compiled shared matchers, built once per pack. */
  defaults: { platform: string };
}

export interface ResolvedLexicon {
  id: string;
  terms: string[];
  allow: string[];
}

/** A compiled detector: all matchers built, `detect` allocates only its findings. */
export interface CompiledDetector {
  detect(input: DetectionInput): Finding[];
}

/**
 * A detector type: validates nothing itself (the JSON Schema does), builds its
 * matchers once in `compile`, throws `Error` with a clear message on bad params.
 */
export interface DetectorType<P> {
  type: string;
  compile(params: P, ctx: CompileContext): CompiledDetector;
}
