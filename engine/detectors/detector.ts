import type { RequiredEdit, Revelation } from '../decision.js';
import type { NormalizedText } from '../normalize.js';
import type { PhraseSetSpec } from '../phrases/phrase-schema.js';
import type { PhraseSet } from '../phrases/phrase-set.js';
import type { Vocabulary } from '../phrases/vocabulary.js';
import type { FeatureTable } from '../classifier/feature-table.js';
import type { TextModel } from '../classifier/model.js';
import type { ModelSpec } from '../classifier/model.js';
import type { Tokens } from '../phrases/tokens.js';
import type { ResolvedLexiconSpec } from '../lexicon-schema.js';

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
  /** The words of the post's matching view, with sentence numbers; computed at most once per post. */
  tokens(post: number): Tokens;
  /** A value computed once per evaluation under `key` (e.g. a phrase set's matches, shared by the checks that read it). */
  memo<T>(key: object, compute: () => T): T;
  /** Set when the caller asked for an explanation: detectors report what matched and what a guard suppressed. */
  trace?: (entry: DetectorTrace) => void;
}

/** One step of a detector's reasoning, for `gatehouse eval --explain` and `gatehouse score`. */
export interface DetectorTrace {
  post: number;
  span: [number, number];
  rule: string;
  outcome: 'matched' | 'suppressed';
  guard?: string;
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
  /** A named signal (phrase rules) that `when:` conditions can combine per post or sentence. */
  signal?: string;
  /** Sentence number inside the post, with `signal`. */
  sentence?: number;
}

/** Shared, immutable things a detector may use at compile time. */
export interface CompileContext {
  /** Resolved lexicons of the pack by id. */
  lexicons: ReadonlyMap<string, ResolvedLexicon>;
  /** Phrase sets of the pack by id. */
  phrases: ReadonlyMap<string, PhraseSetSpec>;
  /** Text models of the pack by id. */
  models: ReadonlyMap<string, ModelSpec>;
  defaults: { platform: string };
  /**
   * What the detectors build once per pack and share (the phrase sets with their vocabulary, the
   * text models with their feature table): filled as checks compile, or given whole by a compile
   * from prebuilt bytes (prebuilt.ts), so that no set or model is built again.
   */
  built?: PackBuilt;
}

/** The detectors' shared structures of one pack: plain data and typed arrays, no functions (prebuilt.ts serialises them). */
export interface PackBuilt {
  phrases?: { vocab: Vocabulary; sets: Map<string, PhraseSet> };
  models?: { table: FeatureTable; models: Map<string, TextModel> };
}

export interface ResolvedLexicon extends ResolvedLexiconSpec {
  id: string;
}

/** A compiled detector: all matchers built, `detect` allocates only its findings. */
export interface CompiledDetector {
  detect(input: DetectionInput): Finding[];
  /**
   * A detector that reads a number (a text model's evidence: its score minus its bias) gives it
   * to `when:` conditions as the `scores` fact, whether or not it found anything. Called after
   * `detect`, on the same input.
   */
  score?(input: DetectionInput): number;
}

/** A bad detector parameter, located inside the detector's parameters (e.g. `['patterns', 2]`). */
export class ParamError extends Error {
  constructor(
    readonly at: readonly (string | number)[],
    message: string,
  ) {
    super(message);
    this.name = 'ParamError';
  }
}

/**
 * A detector type: validates nothing itself (the JSON Schema does), builds its
 * matchers once in `compile`, throws `Error` with a clear message on bad params.
 */
export interface DetectorType<P> {
  type: string;
  /** Template variables its findings provide (`{{term}}`), checked against the check's templates at compile time. */
  vars: readonly string[];
  compile(params: P, ctx: CompileContext): CompiledDetector;
}
