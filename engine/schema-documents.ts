import { lexiconFile, pack, packTestFile, standalone } from './pack-schema.js';

const BASE = 'https://gatehouse.dev/schema/';

/** The standalone JSON Schema documents that `engine/schema/*.json` hold, by file name. */
export function schemaDocuments(): Record<string, Record<string, unknown>> {
  return {
    'pack.schema.json': standalone(pack, `${BASE}pack.schema.json`),
    'lexicon.schema.json': standalone(lexiconFile, `${BASE}lexicon.schema.json`),
    'pack-test.schema.json': standalone(packTestFile, `${BASE}pack-test.schema.json`),
  };
}
