/**
 * JSON Schemas (draft 2020-12) for lexicon files and for a pack's lexicons once resolved, written
 * with TypeBox like the pack's (pack-schema.ts).
 */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './string-enum.js';

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

/** A lexicon with its file and builtin list merged in. */
export const resolvedLexicon = Type.Object(
  { terms: Type.Array(Type.String()), allow: Type.Array(Type.String()), ...lexiconMatching },
  { additionalProperties: false },
);
export type ResolvedLexiconSpec = Static<typeof resolvedLexicon>;
