/**
 * `gatehouse init DIR [--id ID]`: a new pack that passes `check` and `test` as written, to edit
 * from there: pack.yaml with one lexicon check and the platform length check, the lexicon, one
 * tests file and a labelled corpus stub for `gatehouse score`. Every file names its schema by
 * the schema's stable `$id` (engine/schema-documents.ts), never by a path into this repository,
 * so the pack can live and move anywhere (docs/pack-authoring.md#editor-setup).
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { schemaId } from '../index.js';
import { stdio, type CommandIo } from './command-io.js';
import { CommandLine } from './command-line.js';

const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export async function initCommand(args: string[], io: CommandIo = stdio): Promise<number> {
  const cli = new CommandLine(io);
  const program = new Command('gatehouse init')
    .description('start a new pack in DIR (created; refused if it holds anything): pack.yaml, a lexicon, a tests file and a scoring corpus stub')
    .argument('<DIR>', 'the folder of the new pack, anywhere')
    .option('--id <ID>', 'the pack id: lower-case letters, digits, - and _ (default: from the folder name)', packId)
    .addHelpText('after', '\nThen: gatehouse check DIR && gatehouse test DIR')
    .action(cli.action((dir: string, options: { id?: string }) => init(dir, options.id, io)));
  return cli.run(program, args);
}

function packId(value: string): string {
  if (!ID_PATTERN.test(value)) throw new InvalidArgumentError('lower-case letters, digits, - and _, starting with a letter or digit');
  return value;
}

async function init(dir: string, givenId: string | undefined, io: CommandIo): Promise<number> {
  const id = givenId ?? idFromFolder(dir);
  if (!id) {
    io.err(`gatehouse init: cannot make a pack id from "${path.basename(path.resolve(dir))}": give one with --id, e.g. --id my-pack`);
    return 2;
  }
  const present = await readdir(dir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
  if (present.length > 0) {
    io.err(`gatehouse init: ${dir} is not empty: pick a new folder (nothing was written)`);
    return 1;
  }
  for (const [file, text] of Object.entries(scaffold(id))) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
    io.out(`wrote ${path.join(dir, file)}`);
  }
  io.out(`next: gatehouse check ${dir} && gatehouse test ${dir}`);
  return 0;
}

/** `../My Pack` → `my-pack`; undefined when nothing usable is left. */
function idFromFolder(dir: string): string | undefined {
  const id = path
    .basename(path.resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|-+$/g, '')
    .slice(0, 64);
  return ID_PATTERN.test(id) ? id : undefined;
}

/** The files of a new pack, by path inside it. */
export function scaffold(id: string): Record<string, string> {
  return {
    'pack.yaml': `# A gatehouse rule pack: policy as data (docs/pack-authoring.md).
# The loop: gatehouse check . && gatehouse test . && gatehouse eval --pack . "text to try"
# Editor completion: point your YAML language server at the schema (docs/pack-authoring.md#editor-setup).
$schema: ${schemaId('pack.schema.json')}
id: ${id}
version: 0.1.0
description: What this pack checks, in one sentence.
defaults:
  platform: x

lexicons:
  banned:
    file: lexicons/banned.yaml

checks:
  - id: banned-words
    code: BANNED_WORD
    severity: block
    category: profanity
    labels: [banned_word]
    description: Words this pack does not let through, in any spelling.
    detector: { type: lexicon, lexicons: [banned] }
    message: "Post {{post_number}} contains a banned word ({{evidence}})."
    suggestedFix: "Remove or replace \\"{{evidence}}\\"."
    required_edit: { action: replace, replacement: mask }
    sanitize: mask

  - id: post-length
    code: LENGTH_EXCEEDED
    severity: block
    category: format
    labels: []
    description: Each post must fit its platform's limit.
    detector:
      type: post_length
      platforms:
        x: { max: 280, counting: twitter }
        linkedin: { max: 3000, counting: chars }
    message: "Post {{post_number}} is {{length}} long on {{platform}}; the limit is {{max}}."
    suggestedFix: "Shorten post {{post_number}} by at least {{excess}} ({{counting}})."
    required_edit: { action: shorten }
`,
    'lexicons/banned.yaml': `$schema: ${schemaId('lexicon.schema.json')}
description: >-
  The terms the banned-words check matches, as whole words and in evasive spellings
  (b4dw0rd, b a d w o r d). Replace these placeholders with your own.
terms: [badword, worseword]
# Words that contain a term but are fine; \`gatehouse check\` lists dictionary words a term hits.
allow: []
`,
    'tests/banned-words.yaml': `$schema: ${schemaId('pack-test.schema.json')}
description: What the pack must catch, and what it must let through. Run with \`gatehouse test\`.
cases:
  - name: a banned word fails
    content: "This post says badword."
    decision: FAIL
    codes: [BANNED_WORD]
  - name: an evasive spelling fails too
    content: "This post says b a d w o r d."
    decision: FAIL
    codes: [BANNED_WORD]
  - name: a clean post passes
    content: "Our spring release is live: faster search and dark mode."
    decision: PASS
  - name: a post over 280 on X fails
    content: "${'a '.repeat(145).trim()}"
    decision: FAIL
    codes: [LENGTH_EXCEEDED]
`,
    // One labelled item per line for `gatehouse score --pack . --corpus eval/`: a missing label is "not judged".
    'eval/corpus.jsonl': [
      { id: 'stub-1', content: 'This post says badword.', labels: { banned_word: true } },
      { id: 'stub-2', content: 'Our spring release is live: faster search and dark mode.', labels: { banned_word: false } },
    ]
      .map((item) => JSON.stringify(item))
      .join('\n')
      .concat('\n'),
  };
}
