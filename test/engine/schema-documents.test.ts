import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import Ajv2020Module from 'ajv/dist/2020.js';
import { schemaDocuments } from '../../engine/schema-documents.js';

const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;

describe('engine/schema/*.json (the files editors use through $schema)', () => {
  it.each(Object.keys(schemaDocuments()))('%s matches the TypeBox schema (run `npx gatehouse schemas --write`)', async (name) => {
    const onDisk = JSON.parse(await readFile(`engine/schema/${name}`, 'utf8'));
    expect(onDisk).toEqual(schemaDocuments()[name]);
  });

  it('validates the default pack, its lexicons and tests as an editor would, and rejects a wrong severity', async () => {
    const ajv = new Ajv2020({ strict: false, discriminator: true });
    const load = async (name: string) => ajv.compile(JSON.parse(await readFile(`engine/schema/${name}`, 'utf8')));
    const pack = await load('pack.schema.json');
    const lexicon = await load('lexicon.schema.json');
    const tests = await load('pack-test.schema.json');
    const phrases = await load('phrases.schema.json');
    const doc = parse(await readFile('rules/qa/pack.yaml', 'utf8'));
    expect(pack(doc)).toBe(true);
    expect(lexicon(parse(await readFile('rules/qa/lexicons/profanity.yaml', 'utf8')))).toBe(true);
    expect(tests(parse(await readFile('rules/qa/tests/harmful.yaml', 'utf8')))).toBe(true);
    for (const set of ['threats', 'self-harm', 'tos']) {
      expect(phrases(parse(await readFile(`rules/qa/phrases/${set}.yaml`, 'utf8'))), set).toBe(true);
    }
    doc.checks[0].severity = 'blocker';
    expect(pack(doc)).toBe(false);
  });
});
