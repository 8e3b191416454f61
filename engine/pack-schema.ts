/**
 * JSON Schemas (draft 2020-12) for rule packs and pack tests (lexicon files: lexicon-schema.ts),
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
import { resolvedLexicon } from './lexicon-schema.js';
import { StringEnum } from './string-enum.js';

export const SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

const id = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$', description: 'lower-case id: letters, digits, - and _' });
const semver = Type.String({
  pattern: '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-[0-9A-Za-z.-]+)?$',
  description: 'semantic version, e.g. 1.2.0; a published version is immutable',
});

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
