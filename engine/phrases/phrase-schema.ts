/**
 * The schema of a phrase set file (rules/<pack>/phrases/*.yaml): word classes (slots), context
 * guards and phrase rules, as pack authors write them (docs/pack-authoring.md#phrase-rules).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { Inflection } from './inflect.js';

const name = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_-]{0,63}$' });
const patterns = Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
  description: 'a phrase pattern, or a list of alternatives (see docs/pack-authoring.md#phrase-rules)',
});

export const phraseSlot = Type.Union([
  Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'the words and phrases of this class' }),
  Type.Object(
    {
      words: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
      lexicons: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'pack lexicons whose terms join the class' })),
      inflect: Type.Optional(
        Type.Unsafe<Inflection | 'none'>({
          type: 'string',
          enum: ['verb', 'noun', 'none'],
          description: 'verb: kill → kills, killed, killing; noun: pill → pills (the head word of a phrase)',
        }),
      ),
    },
    { additionalProperties: false },
  ),
]);

export const phraseGuard = Type.Union([
  Type.Object(
    {
      match: patterns,
      within: Type.Optional(
        Type.Unsafe<'window' | 'sentence' | 'nearby' | 'post' | 'thread'>({
          type: 'string',
          enum: ['window', 'sentence', 'nearby', 'post', 'thread'],
          default: 'window',
          description:
            'window: from `before` words ahead of the match to `after` words past it, in its sentence; ' +
            'nearby: its sentence and `sentences` sentences either side of it (a long post turns to other subjects)',
        }),
      ),
      before: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, default: 3 })),
      after: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, default: 0 })),
      sentences: Type.Optional(Type.Integer({ minimum: 1, maximum: 5, default: 1, description: 'nearby: how many sentences either side of the match\'s own' })),
      except: Type.Optional(
        Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
          description: 'patterns that, anywhere in the post, keep the guard from holding: the post says the context does not apply ("irl" against a games guard)',
        }),
      ),
      description: Type.Optional(Type.String()),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { quoted: Type.Literal(true, { description: 'the match sits inside quotation marks, double or single' }), description: Type.Optional(Type.String()) },
    { additionalProperties: false },
  ),
]);

export const phraseRule = Type.Object(
  {
    id: name,
    match: patterns,
    unless: Type.Optional(Type.Array(name, { description: 'guards (by name) that suppress a match' })),
    signal: Type.Optional(
      Type.String({ pattern: '^[a-z][a-z0-9_-]{0,63}$', description: 'signal name for `when:` conditions (default: the rule id)' }),
    ),
    description: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const phraseSetSpec = Type.Object(
  {
    description: Type.Optional(Type.String()),
    slots: Type.Optional(Type.Record(name, phraseSlot)),
    guards: Type.Optional(Type.Record(name, phraseGuard)),
    rules: Type.Array(phraseRule, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type PhraseSetSpec = Static<typeof phraseSetSpec>;
export const phraseFile = Type.Object(
  { $schema: Type.Optional(Type.String()), ...phraseSetSpec.properties },
  { additionalProperties: false },
);
