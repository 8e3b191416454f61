import { pack, packTestFile, standalone } from './pack-schema.js';
import { lexiconFile } from './lexicon-schema.js';
import { phraseFile } from './phrases/phrase-schema.js';

/**
 * Where the schemas live for good: each `$id` is `BASE` + the path a gatehouse server serves
 * the same document at (`/schemas/pack.json`), so a pack names its schema by a URL that does
 * not depend on where the pack sits (docs/decisions/0008-pack-schema-ids.md).
 */
export const SCHEMA_BASE = 'https://gatehouse.dev/schemas/';

/** File in engine/schema/ (shipped in the npm package) → the name in its `$id` and server path. */
const SCHEMA_NAMES = {
  'pack.schema.json': 'pack.json',
  'lexicon.schema.json': 'lexicon.json',
  'pack-test.schema.json': 'pack-test.json',
  'phrases.schema.json': 'phrases.json',
} as const;

export type SchemaFile = keyof typeof SCHEMA_NAMES;

/** `https://gatehouse.dev/schemas/pack.json` for `pack.schema.json`. */
export function schemaId(file: SchemaFile): string {
  return `${SCHEMA_BASE}${SCHEMA_NAMES[file]}`;
}

/** The standalone JSON Schema documents that `engine/schema/*.json` hold, by file name. */
export function schemaDocuments(): Record<SchemaFile, Record<string, unknown>> {
  return {
    'pack.schema.json': standalone(pack, schemaId('pack.schema.json')),
    'lexicon.schema.json': standalone(lexiconFile, schemaId('lexicon.schema.json')),
    'pack-test.schema.json': standalone(packTestFile, schemaId('pack-test.schema.json')),
    'phrases.schema.json': standalone(phraseFile, schemaId('phrases.schema.json')),
  };
}
