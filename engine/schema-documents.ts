import { lexiconFile, pack, packTestFile, standalone } from './pack-schema.js';
import { phraseFile } from './phrases/phrase-set.js';

const BASE = 'https://gatehouse.dev/schema/';

/** The standalone JSON Schema documents that `engine/schema/*.json` hold, by file name. */
export function schemaDocuments(): Record<string, Record<string, unknown>> {
  return {
    'pack.schema.json': standalone(pack, `${BASE}pack.schema.json`),
    'lexicon.schema.json': standalone(lexiconFile, `${BASE}lexicon.schema.json`),
    'pack-test.schema.json': standalone(packTestFile, `${BASE}pack-test.schema.json`),
    'phrases.schema.json': standalone(phraseFile, `${BASE}phrases.schema.json`),
  };
}
