/**
 * Issue 13, finding 2 (packs): a lexicon of 125,000+ terms crashed the loader (the stack
 * overflowed on `push(...terms)`), and one pattern of 60,000 alternatives passed `check` and
 * then took 9 s on a 280-character post.
 *
 * A lexicon within the declared term limit (MAX_LEXICON_TERMS) now loads, compiles and
 * evaluates in time linear in the text; one over it is refused by the schema (see
 * test/server/security/hostile-packs.test.ts). A pattern over MAX_PATTERN_CHARS or
 * MAX_PATTERN_PROGRAM (RE2 instructions, the deterministic measure of its per-post cost) is
 * refused at load, with the file, the place and the limit.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PATTERN_CHARS, MAX_PATTERN_PROGRAM } from '../../engine/detectors/pattern.js';
import { evaluate, loadPack, PackError } from '../../engine/index.js';
import { MAX_LEXICON_TERMS } from '../../engine/lexicon-schema.js';

let temp: string;
beforeAll(() => {
  temp = mkdtempSync(path.join(tmpdir(), 'gh-pack-limits-'));
});
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const CHECK = (detector: string, category = 'format') =>
  `checks:\n  - id: a\n    code: A_CHECK\n    severity: block\n    category: ${category}\n    detector: ${detector}\n    message: m\n    suggestedFix: f\n    required_edit: { action: review }\n`;

function writePack(name: string, files: Record<string, string>): string {
  const dir = path.join(temp, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

async function refusal(dir: string): Promise<string> {
  const error = await loadPack(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PackError);
  return (error as PackError).issues.map((i) => `${i.file}:${i.line ?? ''} ${i.path ?? ''}: ${i.message}`).join('\n');
}

describe('hostile packs: the loader does not crash, and costly patterns are refused', () => {
  it('a 150,000-term lexicon (under the declared limit) loads, compiles and evaluates', async () => {
    expect(150_000).toBeLessThan(MAX_LEXICON_TERMS);
    const dir = writePack('lexicon-150k', {
      'pack.yaml': `id: big\nversion: 1.0.0\ndescription: big\nlexicons:\n  words: { file: lexicons/words.yaml }\n${CHECK('{ type: lexicon, lexicons: [words] }', 'profanity')}`,
      'lexicons/words.yaml': `terms:\n${Array.from({ length: 150_000 }, (_, i) => `  - tk${i.toString(36)}z\n`).join('')}`,
    });
    const pack = await loadPack(dir);
    const decision = await evaluate(pack, { content: `hello tk${(149_999).toString(36)}z and tk0z` });
    // Both terms found (the evidence is masked), the first and the last of the list.
    expect(decision.violations).toHaveLength(2);
  });

  it('one pattern of 60,000 alternatives is refused at load, naming the limit', async () => {
    const alternatives = Array.from({ length: 60_000 }, (_, i) => `w${i.toString(36)}`).join('|');
    const message = await refusal(writePack('alternatives-60k', { 'pack.yaml': `id: alt\nversion: 1.0.0\ndescription: alt\n${CHECK(`{ type: pattern, patterns: ['(${alternatives})'] }`)}` }));
    expect(message).toMatch(new RegExp(`pack\\.yaml:\\d+ .*patterns\\[0\\].*limit ${MAX_PATTERN_CHARS}`));
  });

  it('a pattern short enough in characters but over the RE2 program limit is refused too', async () => {
    // 34 characters, 12,000 instructions: RE2 factors a plain word list, bounded repetitions it unrolls.
    const pattern = '(?:ab|cd){1,1000}(?:ef|gh){1,1000}';
    expect(pattern.length).toBeLessThan(MAX_PATTERN_CHARS);
    const message = await refusal(writePack('program-size', { 'pack.yaml': `id: prog\nversion: 1.0.0\ndescription: prog\n${CHECK(`{ type: pattern, patterns: ['${pattern}'] }`)}` }));
    expect(message).toMatch(new RegExp(`RE2 instructions \\(limit ${MAX_PATTERN_PROGRAM}\\)`));
  });
});
