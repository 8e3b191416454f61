/**
 * JSON Schemas (draft 2020-12) for rule packs, lexicon files and pack tests,
 * written with TypeBox so that the TypeScript types derive from the schemas
 * and never drift. `engine/schema/*.json` are generated from these for editors.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { lexiconParams } from './detectors/lexicon.js';
import { patternParams } from './detectors/pattern.js';
import { postLengthParams } from './detectors/post-length.js';
import { numberingParams } from './detectors/numbering.js';
import { lineLengthParams } from './detectors/line-length.js';
import { policyTagsParams } from './detectors/policy-tags.js';
import { citationParams } from './detectors/citation.js';
import { phraseParams } from './detectors/phrase.js';
import { phraseSetSpec } from './phrases/phrase-schema.js';
import { classifierParams } from './detectors/classifier.js';
import { modelSpec } from './classifier/model.js';

export const SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

const id = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$', description: 'lower-case id: letters, digits, - and _' });
const semver = Type.String({
  pattern: '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-[0-9A-Za-z.-]+)?$',
  description: 'semantic version, e.g. 1.2.0; a published version is immutable',
});

/** A string enum that ajv reports as "must be one of a, b" rather than one error per literal. */
export function StringEnum<const T extends readonly string[]>(values: T, options: { description?: string; default?: T[number] } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

const detectorSchemas = [
  lexiconParams,
  patternParams,
  postLengthParams,
  numberingParams,
  lineLengthParams,
  policyTagsParams,
  citationParams,
  phraseParams,
  classifierParams,
] as const;
type DetectorUnion = Static<(typeof detectorSchemas)[number]>;

// A discriminated oneOf so that ajv validates only the branch named by `type` and its errors point there.
export const detectorParams = Type.Unsafe<DetectorUnion>({
  type: 'object',
  required: ['type'],
  discriminator: { propertyName: 'type' },
  oneOf: detectorSchemas,
  description: "The detector that computes this check's facts, chosen by `type`.",
});
export type DetectorParams = DetectorUnion;

/** A raw json-rules-engine condition over the evaluation facts (see docs/pack-authoring.md). */
export const condition = Type.Recursive(
  (self) =>
    Type.Union([
      Type.Object({ all: Type.Array(self, { minItems: 1 }) }, { additionalProperties: false }),
      Type.Object({ any: Type.Array(self, { minItems: 1 }) }, { additionalProperties: false }),
      Type.Object({ not: self }, { additionalProperties: false }),
      Type.Object(
        {
          fact: Type.String({ minLength: 1 }),
          operator: Type.String({ minLength: 1 }),
          value: Type.Unknown(),
          path: Type.Optional(Type.String({ pattern: '^\\$(\\.[A-Za-z0-9_-]+)*$' })),
          params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        },
        { additionalProperties: false },
      ),
    ]),
  { $id: 'Condition' },
);

export const editAction = StringEnum(['replace', 'delete', 'insert', 'shorten', 'append', 'review'] as const);

export const check = Type.Object(
  {
    id,
    code: Type.String({ pattern: '^[A-Z][A-Z0-9_]{1,63}$', description: 'canonical violation code, e.g. PROFANITY' }),
    severity: StringEnum(['block', 'warn'] as const, {
      description: 'block: a violation makes the decision FAIL; warn: reported only',
    }),
    category: StringEnum(['profanity', 'harmful', 'tos', 'format', 'provenance'] as const, {
      description: 'harmful checks turn a block into HARMFUL_CONTENT',
    }),
    labels: Type.Optional(
      Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }), {
        description:
          'corpus labels this check detects, for `gatehouse score` (e.g. violent_threat); default: the category. [] = scored under none',
      }),
    ),
    description: Type.Optional(Type.String()),
    enabled: Type.Optional(Type.Boolean({ default: true })),
    detector: Type.Optional(detectorParams),
    min_hits: Type.Optional(Type.Integer({ minimum: 1, default: 1, description: 'findings needed for the check to fire' })),
    when: Type.Optional(condition),
    message: Type.String({ minLength: 1, description: 'template: {{post_number}}, {{evidence}} and the detector vars' }),
    suggestedFix: Type.String({ minLength: 1 }),
    required_edit: Type.Object(
      {
        action: editAction,
        replacement: Type.Optional(Type.String({ description: '"mask" masks the span; otherwise a template' })),
        note: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
    sanitize: Type.Optional(
      StringEnum(['mask', 'autofix', 'none'] as const, {
        description: "mask: mask the span in `sanitized`; autofix: apply the detector's safe edit",
      }),
    ),
  },
  { additionalProperties: false },
);
export type CheckSpec = Static<typeof check>;

export const lexiconRef = Type.Object(
  {
    file: Type.Optional(Type.String({ minLength: 1, description: 'lexicon file relative to the pack folder' })),
    builtin: Type.Optional(Type.Literal('leo-profanity', { description: 'start from a list shipped with a library' })),
    terms: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }))),
    allow: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }))),
  },
  { additionalProperties: false },
);

export const phraseRef = Type.Object(
  { file: Type.String({ minLength: 1, description: 'phrase file relative to the pack folder (slots, guards, rules)' }) },
  { additionalProperties: false },
);

export const modelRef = Type.Object(
  { file: Type.String({ minLength: 1, description: 'text model file relative to the pack folder, written by `gatehouse train`' }) },
  { additionalProperties: false },
);

export const pack = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    id,
    version: semver,
    description: Type.String(),
    defaults: Type.Optional(
      Type.Object(
        {
          platform: Type.Optional(Type.String({ minLength: 1, default: 'x' })),
          thread_split: Type.Optional(StringEnum(['auto', 'none', 'separator'] as const, { default: 'auto' })),
        },
        { additionalProperties: false },
      ),
    ),
    lexicons: Type.Optional(Type.Record(id, lexiconRef)),
    phrases: Type.Optional(Type.Record(id, phraseRef)),
    models: Type.Optional(Type.Record(id, modelRef)),
    checks: Type.Array(check, { minItems: 1, maxItems: 1000 }),
  },
  { additionalProperties: false },
);
export type PackSpec = Static<typeof pack>;

export const MAX_LEXICON_TERMS = 200_000;

const lexiconString = Type.String({ minLength: 1, maxLength: 200 });

/** How a lexicon's terms are matched beyond whole words: shared by lexicon files and resolved packs. */
export const lexiconMatching = {
  language: Type.Optional(
    StringEnum(['en', 'fr', 'es', 'de', 'pt', 'it'] as const, {
      description: 'language of the terms: its inflection suffixes and its word list in the collision finder (default en)',
    }),
  ),
  variants: Type.Optional(
    Type.Boolean({
      description: 'also match generated phonetic, misspelt and spaced forms of single-word terms (fuk, phuck, fck, fu ck); default false',
    }),
  ),
  plain: Type.Optional(Type.Array(lexiconString, { description: 'terms matched without generated variants' })),
  compound: Type.Optional(
    Type.Object(
      {
        prefix: Type.Optional(Type.Array(lexiconString, { description: 'terms that may start a longer word (shitshow)' })),
        suffix: Type.Optional(Type.Array(lexiconString, { description: 'terms that may end a longer word (bullshit)' })),
        any: Type.Optional(Type.Array(lexiconString, { description: 'terms that may sit anywhere in a longer word' })),
      },
      { additionalProperties: false, description: 'terms that also match inside longer words; the collision finder lists the words this hits' },
    ),
  ),
  context: Type.Optional(
    Type.Array(
      Type.Object(
        {
          terms: Type.Array(lexiconString, { minItems: 1 }),
          benign_near: Type.Optional(Type.Array(lexiconString, { description: 'words that, near the term, give its innocent sense' })),
          window: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 6, description: 'words either side' })),
          names: Type.Optional(Type.Boolean({ description: 'capitalised next to another capitalised word: a name (Moby Dick)' })),
          lowercase: Type.Optional(
            Type.Boolean({ description: 'the term swears in lower case; in capitals it is an acronym (AF-1, a TF card) unless its neighbours are in capitals too' }),
          ),
          targets: Type.Optional(Type.Array(lexiconString, { description: 'words that, just before the term, aim it at a person (default you, your, ur, u, ya)' })),
        },
        { additionalProperties: false },
      ),
      { description: 'context rules for polysemous terms (birds, names, animals, sport)' },
    ),
  ),
  accepted: Type.Optional(
    Type.Array(lexiconString, {
      maxItems: MAX_LEXICON_TERMS,
      description: 'dictionary words the collision finder reports that are meant to match (bullshitter, shitload)',
    }),
  ),
};

export const lexiconFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    ...lexiconMatching,
    terms: Type.Array(lexiconString, { maxItems: MAX_LEXICON_TERMS }),
    allow: Type.Optional(Type.Array(lexiconString, { maxItems: MAX_LEXICON_TERMS })),
  },
  { additionalProperties: false },
);
export type LexiconFileSpec = Static<typeof lexiconFile>;

export const packTestCase = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    content: Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })]),
    platform: Type.Optional(Type.String()),
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    decision: Type.Optional(StringEnum(['PASS', 'FAIL'] as const)),
    codes: Type.Optional(Type.Array(Type.String(), { description: 'codes that must all be reported' })),
    not_codes: Type.Optional(Type.Array(Type.String(), { description: 'codes that must not be reported' })),
  },
  { additionalProperties: false },
);
export type PackTestCase = Static<typeof packTestCase>;

export const packTestFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    cases: Type.Array(packTestCase, { minItems: 1 }),
  },
  { additionalProperties: false },
);

/** A lexicon with its file and builtin list merged in. */
export const resolvedLexicon = Type.Object(
  { terms: Type.Array(Type.String()), allow: Type.Array(Type.String()), ...lexiconMatching },
  { additionalProperties: false },
);
export type ResolvedLexiconSpec = Static<typeof resolvedLexicon>;

/** A pack with its lexicons inlined: what is hashed, published and compiled. */
export const resolvedPack = Type.Object(
  {
    id,
    version: semver,
    description: Type.String(),
    defaults: Type.Object({ platform: Type.String(), thread_split: Type.String() }),
    lexicons: Type.Record(id, resolvedLexicon),
    phrases: Type.Optional(Type.Record(id, phraseSetSpec)),
    models: Type.Optional(Type.Record(id, modelSpec)),
    checks: Type.Array(check, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type ResolvedPack = Static<typeof resolvedPack>;

/** The schema as a standalone draft 2020-12 document (for `$schema` in pack files). */
export function standalone(schema: TSchema, $id: string): Record<string, unknown> {
  return { $schema: SCHEMA_DIALECT, $id, ...JSON.parse(JSON.stringify(schema)) };
}
