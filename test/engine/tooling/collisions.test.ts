/**
 * The collision finder: every dictionary word a lexicon's forms hit is reported unless it is the
 * term itself (in its own language), allow-listed or accepted; `gatehouse check` fails naming the
 * term and the words. Small word lists in a temp folder stand in for Debian's.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DEBIAN_WORD_LISTS, findCollisions, formatCollision, loadWordLists } from '../../../engine/tooling/collisions.js';

const temp = mkdtempSync(path.join(tmpdir(), 'gatehouse-collisions-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const WORDS: Record<string, string[]> = {
  'american-english-huge': ['assess', 'class', 'cook', 'cocked', 'shiitake', 'shitload', 'hookah', 'fuck', 'scunthorpe', 'glass'],
  'british-english-huge': ['colour', 'cocked'],
  french: ['merde', 'con', 'pique-nique'],
  spanish: ['cono', 'puta'],
  ngerman: ['dick', 'dickes'],
  italian: ['cazzuola'],
  portuguese: ['fodera'],
};
const dictDir = path.join(temp, 'dict');
mkdirSync(dictDir);
for (const [file, words] of Object.entries(WORDS)) writeFileSync(path.join(dictDir, file), `${words.join('\n')}\n`);
const { lists } = loadWordLists(dictDir);

const lexicon = (extra: Record<string, unknown> = {}) => ({
  terms: ['fuck', 'shit', 'cock', 'hooker', 'dick', 'cunt', 'ass'],
  allow: [] as string[],
  language: 'en' as const,
  variants: true,
  compound: { any: ['shit', 'cunt'] },
  ...extra,
});

describe('findCollisions', () => {
  it('reads every Debian list it names, and tells which packages are missing', () => {
    expect(lists.map((l) => l.name)).toEqual(DEBIAN_WORD_LISTS.map((s) => s.file));
    expect(loadWordLists(path.join(temp, 'nowhere')).missing).toContain('wamerican-huge');
  });

  it('reports compounds, inflections, variants and other languages, not the term itself', () => {
    const found = findCollisions({ lexicons: { profanity: lexicon() } }, lists);
    const byTerm = Object.fromEntries(found.map((c) => [c.term, c.words]));
    expect(byTerm.shit).toEqual(['shiitake', 'shitload']); // compound part
    expect(byTerm.cock).toEqual(['cocked']); // inflection
    expect(byTerm.hooker).toEqual(['hookah']); // generated form (-er → -ah)
    expect(byTerm.dick).toEqual(['dick']); // the same word in German
    expect(byTerm.cunt).toBeUndefined(); // a compound part starts or ends its word: Scunthorpe holds none
    expect(byTerm.fuck).toBeUndefined(); // the term itself, in English
    expect(byTerm.ass).toBeUndefined(); // assess, class, glass: no hit at all
    expect(formatCollision(found.find((c) => c.term === 'shit')!)).toMatch(/term "shit" \(compound\) hits 2 dictionary word\(s\): shiitake, shitload/);
  });

  it('is silent once each collision is allow-listed or accepted', () => {
    const clean = lexicon({ allow: ['shiitake', 'hookah', 'scunthorpe'], accepted: ['shitload', 'cocked', 'dick'] });
    expect(findCollisions({ lexicons: { profanity: clean } }, lists)).toEqual([]);
  });
});

describe('gatehouse check runs the finder', () => {
  const run = promisify(execFile);
  const cli = 'dist/server/cli.js';

  it('fails on a deliberately colliding term, naming the term and the words it hits', async () => {
    const pack = path.join(temp, 'pack');
    mkdirSync(path.join(pack, 'lexicons'), { recursive: true });
    writeFileSync(
      path.join(pack, 'pack.yaml'),
      [
        'id: collide',
        'version: 1.0.0',
        'description: a pack whose lexicon collides with the dictionary',
        'lexicons:',
        '  words: { file: lexicons/words.yaml }',
        'checks:',
        '  - { id: words, code: WORDS, severity: block, category: profanity, detector: { type: lexicon, lexicons: [words] },',
        '      message: "m", suggestedFix: "f", required_edit: { action: replace, replacement: mask } }',
      ].join('\n'),
    );
    const words = path.join(pack, 'lexicons', 'words.yaml');
    writeFileSync(words, 'language: en\nvariants: true\nterms: [glas, fuck]\ncompound: { prefix: [fuck] }\n');
    writeFileSync(path.join(dictDir, 'american-english-huge'), `${[...WORDS['american-english-huge']!, 'fuckwit'].join('\n')}\n`);
    const failed = await run('node', [cli, 'check', '--wordlists', dictDir, pack]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/lexicon "words": term "fuck" \(compound\) hits 1 dictionary word\(s\): fuckwit/);

    // Accepting the word (or allow-listing it) makes the same check pass.
    writeFileSync(words, 'language: en\nvariants: true\nterms: [glas, fuck]\ncompound: { prefix: [fuck] }\naccepted: [fuckwit]\n');
    const { stdout } = await run('node', [cli, 'check', '--wordlists', dictDir, pack]);
    expect(stdout).toMatch(/^ok {3}collide@1\.0\.0/m);
  });
});
