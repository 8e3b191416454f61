/**
 * `gatehouse diff OLD NEW --corpus FILE.jsonl [--format markdown|json] [--fail-on-change]`
 *
 * Exit codes: 0 report printed (changes or not, unless --fail-on-change);
 * 1 something changes and --fail-on-change was given; 2 the diff could not be
 * made (bad arguments, unknown ref or version, invalid pack, bad corpus line).
 * Errors go to stderr in the API's error shape, one JSON line.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, Option } from 'commander';
import { CommandLine, EXIT_USAGE } from './command-line.js';
import { CorpusError, parseCorpus, type CorpusItem } from './diff-corpus.js';
import { diffPacks, hasChanges, ItemEvaluationError } from './diff.js';
import { renderMarkdown } from './diff-format.js';
import { PackSourceError, resolvePackSource, type PublishedPackReader, type ResolveContext } from './pack-source.js';

export const EXIT_OK = 0;
export const EXIT_CHANGED = 1;
export const EXIT_ERROR = EXIT_USAGE;

/** Opens the database of published versions; called at most once, and only when a source names a version. */
export type OpenPublished = () => Promise<{ reader: PublishedPackReader; close(): Promise<void> }>;

export interface DiffIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  /** Published versions (`qa@1.2.0`): the server's database (server/packs/published-packs.ts). Absent → such sources are refused. */
  published?: OpenPublished;
}

const processIo: DiffIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
};

interface DiffOptions {
  corpus: string;
  format: 'markdown' | 'json';
  failOnChange?: boolean;
}

export async function diffCommand(args: string[], io: DiffIo = processIo): Promise<number> {
  const lines = { out: (line: string) => io.stdout(`${line}\n`), err: (line: string) => io.stderr(`${line}\n`) };
  // Usage errors too go to stderr in the error shape, as every other failure of diff (CI parses it).
  const cli = new CommandLine(lines, { renderError: (message, usage) => JSON.stringify({ error: usageError(message, usage) }) });
  const program = new Command('gatehouse diff')
    .description('the policy impact of a pack change: what changes for each item of a corpus between two versions of a pack')
    .argument('<OLD>', 'a pack folder (rules/qa), a git ref with a path (origin/main:rules/qa) or a published version (qa@1.2.0)')
    .argument('<NEW>', 'the same forms as OLD')
    .requiredOption('--corpus <FILE>', 'JSONL, one {"id","content"} per line')
    .addOption(new Option('--format <FORMAT>', 'the report format').choices(['markdown', 'json']).default('markdown'))
    .option('--fail-on-change', 'exit 1 when anything changes (for CI)')
    .addHelpText('after', '\nExit codes: 0 report printed; 1 something changes and --fail-on-change was given; 2 the diff could not be made.')
    .action(cli.action((oldSpec: string, newSpec: string, options: DiffOptions) => diff(oldSpec, newSpec, options, io)));
  return cli.run(program, args);
}

async function diff(oldSpec: string, newSpec: string, options: DiffOptions, io: DiffIo): Promise<number> {
  const parsed = { oldSpec, newSpec, ...options };
  const db = lazyPublishedReader(io.published);
  try {
    const corpus = await readCorpus(parsed.corpus, io.cwd);
    const ctx: ResolveContext = { cwd: io.cwd, published: db.open };
    const before = await resolvePackSource(parsed.oldSpec, ctx);
    const after = await resolvePackSource(parsed.newSpec, ctx);
    await db.close();
    [...before.warnings, ...after.warnings].forEach((w) => io.stderr(`warning: ${w}\n`));
    const report = await diffPacks(before.pack, after.pack, corpus, {
      oldSource: parsed.oldSpec,
      newSource: parsed.newSpec,
      corpusSource: parsed.corpus,
    });
    io.stdout(parsed.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderMarkdown(report));
    return parsed.failOnChange && hasChanges(report) ? EXIT_CHANGED : EXIT_OK;
  } catch (error) {
    io.stderr(`${JSON.stringify({ error: toErrorBody(error) })}\n`);
    return EXIT_ERROR;
  } finally {
    await db.close();
  }
}

// ---- Corpus -----------------------------------------------------------------------------------------

class CorpusFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    message: string,
    readonly code: 'CORPUS_INVALID' | 'CORPUS_NOT_FOUND' = 'CORPUS_INVALID',
  ) {
    super(message);
  }
}

async function readCorpus(file: string, cwd: string): Promise<CorpusItem[]> {
  let text: string;
  try {
    text = await readFile(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new CorpusFileError(file, undefined, `cannot read the corpus ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'CORPUS_NOT_FOUND');
  }
  try {
    return parseCorpus(text);
  } catch (error) {
    if (!(error instanceof CorpusError)) throw error;
    // Named as file:line so that editors and CI logs jump to it.
    throw new CorpusFileError(file, error.line, error.line === undefined ? `${file}: ${error.problem}` : `${file}:${error.line}: ${error.problem}`);
  }
}

// ---- Published versions ----------------------------------------------------------------------------

/** Opens the published versions only when an `id@version` needs them, and at most once. */
function lazyPublishedReader(open: OpenPublished | undefined): { open(): Promise<PublishedPackReader>; close(): Promise<void> } {
  let opened: ReturnType<OpenPublished> | undefined;
  return {
    async open() {
      if (!open) {
        throw new PackSourceError(
          'DATABASE_UNAVAILABLE',
          'published versions cannot be read without the server\'s database.',
          'Run `gatehouse diff` from the gatehouse command, or diff folders or git refs instead.',
        );
      }
      opened ??= open();
      return (await opened).reader;
    },
    async close() {
      const pending = opened;
      if (!pending) return;
      await (await pending.catch(() => undefined))?.close();
    },
  };
}

// ---- Errors -----------------------------------------------------------------------------------------

function usageError(message: string, usage: string): ErrorBody {
  return { code: 'INVALID_ARGUMENTS', message, suggestedFix: `Run it as: ${usage.replace('usage: ', '')} (see \`gatehouse diff --help\`)`, details: {} };
}

interface ErrorBody {
  code: string;
  message: string;
  suggestedFix: string;
  details: unknown;
}

function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof CorpusFileError && error.code === 'CORPUS_NOT_FOUND') {
    return { code: error.code, message: error.message, suggestedFix: 'Check the --corpus path (relative to the current folder), e.g. `docs/examples/corpus.jsonl`.', details: { file: error.file } };
  }
  if (error instanceof CorpusFileError) {
    return {
      code: 'CORPUS_INVALID',
      message: error.message,
      suggestedFix: 'Make every non-blank line one JSON object {"id": "…", "content": "…" | ["…"], "platform"?: "…", "metadata"?: {}} with a unique id.',
      details: { file: error.file, ...(error.line === undefined ? {} : { line: error.line }) },
    };
  }
  if (error instanceof PackSourceError) return { code: error.code, message: error.message, suggestedFix: error.suggestedFix, details: error.details };
  if (error instanceof ItemEvaluationError) {
    return { code: error.code, message: error.message, suggestedFix: 'Fix or remove that corpus item, or the check that fails on it.', details: { id: error.item.id, line: error.item.line, pack: error.pack } };
  }
  // Anything else is a bug; still exit 2 with the shape, so CI never mistakes it for "changed" (exit 1).
  return { code: 'INTERNAL', message: (error as Error)?.message ?? String(error), suggestedFix: 'Report this with the command you ran.', details: {} };
}
