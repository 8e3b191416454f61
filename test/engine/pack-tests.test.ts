import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPack, runPackTests, type LoadedCase } from '../../engine/index.js';

const MINIMAL = path.resolve(import.meta.dirname, '../fixtures/packs/valid/minimal');

describe('runPackTests', () => {
  it('fails a case that names a code no check of the pack reports, which would otherwise hold whatever happens', async () => {
    const pack = await loadPack(MINIMAL);
    const cases = [
      { name: 'real code', content: 'darn it', decision: 'FAIL', codes: ['MILD_WORD'] },
      { name: 'typo in not_codes', content: 'a calm day', decision: 'PASS', not_codes: ['MILD_WORDS'] },
      { name: 'typo in codes', content: 'darn it', codes: ['MILDWORD'] },
    ] as unknown as LoadedCase[];
    const results = await runPackTests(pack, cases);
    expect(results.map((r) => [r.passed, r.problems])).toEqual([
      [true, []],
      [false, ['no check of minimal reports the code MILD_WORDS']],
      [false, ['expected code MILDWORD', 'no check of minimal reports the code MILDWORD']],
    ]);
  });
});
