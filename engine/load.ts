/**
 * Load a pack folder: read and validate `pack.yaml` (or `.yml` / `.json`),
 * resolve its lexicons, compile. Every problem comes back as a located issue.
 */
import { readdir, realpath } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { PackError, type PackIssue } from './errors.js';
import { pack as packSchema, type PackSpec, type ResolvedPack } from './pack-schema.js';
import { lexiconFile, type LexiconFileSpec, type ResolvedLexiconSpec } from './lexicon-schema.js';
import { MAX_LEXICON_FILE_BYTES, MAX_MODEL_FILE_BYTES, MAX_PACK_FILE_BYTES, readSource, SourceError, type SourceDocument } from './source.js';
import { validateAgainst } from './validate.js';
import { phraseFile } from './phrases/phrase-schema.js';
import { modelFile } from './classifier/model.js';
import type { Static, TSchema } from '@sinclair/typebox';
import { compilePack, type CompiledPack } from './compile.js';

const PACK_FILES = ['pack.yaml', 'pack.yml', 'pack.json'];

export function findPackFile(dir: string): string | undefined {
  return PACK_FILES.map((name) => path.join(dir, name)).find((file) => existsSync(file));
}

export interface LoadOptions {
  /**
   * Told each file read, with its text (the pack file first): what a cache of compiled packs
   * compares to know that a pack is unchanged. The built-in lexicons come from installed packages.
   */
  onRead?: (file: string, text: string) => void;
}

export async function loadPack(dir: string, options: LoadOptions = {}): Promise<CompiledPack> {
  const file = findPackFile(dir);
  if (!file) throw new PackError([{ file: dir, message: `no ${PACK_FILES.join(' / ')} in this folder` }]);
  const { onRead } = options;
  const source = await readChecked(file, MAX_PACK_FILE_BYTES, onRead);
  const issues = located(source, validateAgainst(packSchema, source.data));
  if (issues.length > 0) throw new PackError(issues);
  const spec = source.data as PackSpec;
  const resolved: ResolvedPack = {
    id: spec.id,
    version: spec.version,
    description: spec.description,
    defaults: { platform: spec.defaults?.platform ?? 'x', thread_split: spec.defaults?.thread_split ?? 'auto' },
    lexicons: await resolveLexicons(dir, source, spec, onRead),
    ...(spec.phrases ? { phrases: await resolveFiles(dir, source, 'phrases', spec.phrases, phraseFile, MAX_PACK_FILE_BYTES, onRead) } : {}),
    ...(spec.models ? { models: await resolveFiles(dir, source, 'models', spec.models, modelFile, MAX_MODEL_FILE_BYTES, onRead) } : {}),
    checks: spec.checks,
  };
  try {
    return compilePack(resolved);
  } catch (error) {
    if (error instanceof PackError) throw new PackError(error.issues.map((i) => locateCompileIssue(source, i)));
    throw error;
  }
}

/**
 * Every pack under `rulesDir` (or `rulesDir` itself when it is a pack folder), each by `load`
 * (a cache's, say; it throws PackError as loadPack does).
 */
export async function loadPacks(rulesDir: string, load: (dir: string) => Promise<CompiledPack> = loadPack): Promise<{ packs: CompiledPack[]; errors: PackError[] }> {
  const dirs = await packDirs(rulesDir);
  const packs: CompiledPack[] = [];
  const errors: PackError[] = [];
  for (const dir of dirs) {
    try {
      packs.push(await load(dir));
    } catch (error) {
      if (error instanceof PackError) errors.push(error);
      else throw error;
    }
  }
  return { packs, errors };
}

export async function packDirs(rulesDir: string): Promise<string[]> {
  if (findPackFile(rulesDir)) return [rulesDir];
  const entries = await readdir(rulesDir, { withFileTypes: true }).catch(() => {
    throw new PackError([{ file: rulesDir, message: 'rules folder not found' }]);
  });
  return entries
    .filter((e) => e.isDirectory() && findPackFile(path.join(rulesDir, e.name)))
    .map((e) => path.join(rulesDir, e.name))
    .sort();
}

async function readChecked(file: string, maxBytes: number, onRead: LoadOptions['onRead']): Promise<SourceDocument> {
  try {
    return await readSource(file, maxBytes, onRead);
  } catch (error) {
    if (error instanceof SourceError) throw new PackError(error.issues);
    throw error;
  }
}

/** Issues in reading order, each with its file, line and column. */
function located(source: SourceDocument, issues: ReturnType<typeof validateAgainst>): PackIssue[] {
  return issues
    .map(({ at, ...issue }) => ({ file: source.file, ...source.locate(at), ...issue }))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** Compile issues carry a path like `checks[3].detector.patterns[0]`; find it in the source. */
function locateCompileIssue(source: SourceDocument, issue: PackIssue): PackIssue {
  if (issue.file || !issue.path) return { file: source.file, ...issue };
  const at = issue.path
    .split(/\.|(?=\[)/)
    .map((part) => (part.startsWith('[') ? Number(part.slice(1, -1)) : part));
  return { file: source.file, ...source.locate(at), ...issue };
}

const require = createRequire(import.meta.url);

function builtinTerms(name: 'leo-profanity'): string[] {
  const leo = require('leo-profanity') as { list(): string[] };
  return leo.list();
}

async function resolveLexicons(dir: string, source: SourceDocument, spec: PackSpec, onRead: LoadOptions['onRead']): Promise<ResolvedPack['lexicons']> {
  const resolved: ResolvedPack['lexicons'] = {};
  const issues: PackIssue[] = [];
  for (const [id, ref] of Object.entries(spec.lexicons ?? {})) {
    const terms = [...(ref.builtin ? builtinTerms(ref.builtin) : []), ...(ref.terms ?? [])];
    const allow = [...(ref.allow ?? [])];
    let matching: Omit<ResolvedLexiconSpec, 'terms' | 'allow'> = {};
    if (ref.file) {
      const file = path.resolve(dir, ref.file);
      // Lexically inside is not enough: a symlink committed in a pull request could point anywhere.
      const real = await realpath(file).catch(() => file);
      const realDir = await realpath(dir).catch(() => path.resolve(dir));
      if (!file.startsWith(path.resolve(dir) + path.sep) || !real.startsWith(realDir + path.sep)) {
        issues.push({ file: source.file, ...source.locate(['lexicons', id, 'file']), path: `lexicons.${id}.file`, message: 'must stay inside the pack folder' });
        continue;
      }
      try {
        const lexicon = await readChecked(path.join(dir, ref.file), MAX_LEXICON_FILE_BYTES, onRead);
        const problems = located(lexicon, validateAgainst(lexiconFile, lexicon.data));
        if (problems.length > 0) {
          append(issues, problems);
          continue;
        }
        const { $schema: _schema, description: _description, terms: fileTerms, allow: fileAllow, ...rest } = lexicon.data as LexiconFileSpec;
        // Not push(...terms): 125,000 arguments overflow the stack (issue 13), and the schema allows 200,000 terms.
        append(terms, fileTerms);
        append(allow, fileAllow ?? []);
        matching = rest;
      } catch (error) {
        if (error instanceof PackError) append(issues, error.issues);
        else throw error;
      }
    }
    resolved[id] = { terms: dedupe(terms), allow: dedupe(allow), ...matching };
  }
  if (issues.length > 0) throw new PackError(issues);
  return resolved;
}

/**
 * The files a pack names under `key` (`phrases`, `models`), each read, validated against `schema`
 * and stripped of its `$schema`; every problem reported with its file and line.
 */
async function resolveFiles<S extends TSchema>(dir: string, source: SourceDocument, key: string, refs: Record<string, { file: string }>, schema: S, maxBytes: number, onRead: LoadOptions['onRead']): Promise<Record<string, Omit<Static<S>, '$schema'>>> {
  const resolved: Record<string, Omit<Static<S>, '$schema'>> = {};
  const issues: PackIssue[] = [];
  for (const [id, ref] of Object.entries(refs)) {
    const file = await insidePack(dir, ref.file);
    if (!file) {
      issues.push({ file: source.file, ...source.locate([key, id, 'file']), path: `${key}.${id}.file`, message: 'must stay inside the pack folder' });
      continue;
    }
    try {
      const doc = await readChecked(file, maxBytes, onRead);
      const problems = located(doc, validateAgainst(schema, doc.data));
      if (problems.length > 0) {
        append(issues, problems);
        continue;
      }
      const { $schema: _schema, ...spec } = doc.data as Static<S> & { $schema?: string };
      resolved[id] = spec;
    } catch (error) {
      if (error instanceof PackError) append(issues, error.issues);
      else throw error;
    }
  }
  if (issues.length > 0) throw new PackError(issues);
  return resolved;
}

/** The file's path when it stays inside the pack folder, symlinks resolved (a pull request could commit one pointing anywhere). */
async function insidePack(dir: string, relative: string): Promise<string | undefined> {
  const file = path.resolve(dir, relative);
  const real = await realpath(file).catch(() => file);
  const realDir = await realpath(dir).catch(() => path.resolve(dir));
  if (!file.startsWith(path.resolve(dir) + path.sep) || !real.startsWith(realDir + path.sep)) return undefined;
  return file;
}

function dedupe(values: string[]): string[] {
  return [...new Set(values.map((v) => v.trim()).filter((v) => v.length > 0))];
}

/** Appends without spreading: a spread passes every item as an argument, and the stack has room for about 100,000. */
function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
