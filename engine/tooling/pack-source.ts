/**
 * Where a pack to compare comes from: a folder, a git ref with a path
 * (`main:rules/qa`), or a published version (`qa@1.2.0`) in the database.
 * Each resolves to a compiled pack, or to a PackSourceError that says what
 * was wrong and how to fix it.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compilePack, formatIssue, loadPack, PackError, type CompiledPack, type PackIssue, type ResolvedPack } from '../index.js';

export type PackSourceSpec =
  | { kind: 'folder'; dir: string }
  | { kind: 'git'; ref: string; path: string }
  | { kind: 'published'; id: string; version: string };

/** A source that cannot be resolved; `code`, `message` and `suggestedFix` form the canonical error shape. */
export class PackSourceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly suggestedFix: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'PackSourceError';
  }
}

// Pack ids are lower-case words; versions are semver (engine/pack-schema.ts).
const PUBLISHED = /^(?<id>[a-z0-9][a-z0-9._-]*)@(?<version>\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?)$/;

/**
 * Reads what the user typed. An existing folder always wins, so a folder
 * named `a@1.0.0` or `x:y` still works; then `ref:path`; then `id@version`.
 */
export function parsePackSource(spec: string, cwd: string): PackSourceSpec {
  const asPath = path.resolve(cwd, spec);
  if (existsSync(asPath) && statSync(asPath).isDirectory()) return { kind: 'folder', dir: asPath };
  const colon = spec.indexOf(':');
  // Git ref names cannot contain ':', so the first one separates ref and path.
  if (colon > 0) return { kind: 'git', ref: spec.slice(0, colon), path: spec.slice(colon + 1) };
  const published = PUBLISHED.exec(spec);
  if (published) return { kind: 'published', id: published.groups!.id!, version: published.groups!.version! };
  if (existsSync(asPath)) {
    throw new PackSourceError('PACK_SOURCE_NOT_FOUND', `${spec} is a file, not a pack folder.`, 'Name the folder that holds pack.yaml, e.g. `rules/qa`.', { source: spec });
  }
  throw new PackSourceError(
    'PACK_SOURCE_NOT_FOUND',
    `${spec} is not a folder, a git ref with a path (ref:path) or a published version (id@version).`,
    'Use a pack folder (`rules/qa`), a git ref with a path (`origin/main:rules/qa`) or a published version (`qa@1.2.0`).',
    { source: spec },
  );
}

/** A published version as the server's pack store keeps it (server/packs/pack-store.ts). */
export interface PublishedPack {
  pack_id: string;
  version: string;
  hash: string;
  published_at: Date;
  /** The resolved pack document; only `get` returns it. */
  resolved?: unknown;
}

/** Read access to published versions; opened only when a source needs it. */
export interface PublishedPackReader {
  get(packId: string, version: string): Promise<PublishedPack | undefined>;
  versions(packId: string): Promise<PublishedPack[]>;
}

export interface ResolveContext {
  cwd: string;
  /** Opens (once) the database of published versions. */
  published(): Promise<PublishedPackReader>;
}

export interface ResolvedSource {
  pack: CompiledPack;
  /** Things the user should know that do not stop the diff. */
  warnings: string[];
}

export async function resolvePackSource(spec: string, ctx: ResolveContext): Promise<ResolvedSource> {
  const source = parsePackSource(spec, ctx.cwd);
  switch (source.kind) {
    case 'folder':
      return { pack: await loadFolder(source.dir, spec), warnings: [] };
    case 'git':
      return { pack: await loadGitTree(source.ref, source.path, ctx.cwd, spec), warnings: [] };
    case 'published':
      return loadPublished(source.id, source.version, await ctx.published());
  }
}

// ---- Folder -----------------------------------------------------------------------------------------

/** `rename` maps a temporary folder back to what the user named, so that issues point at their files. */
async function loadFolder(dir: string, spec: string, rename?: (file: string) => string): Promise<CompiledPack> {
  try {
    return await loadPack(dir);
  } catch (error) {
    if (!(error instanceof PackError)) throw error;
    throw invalidPack(spec, rename ? error.issues.map((i) => ({ ...i, file: i.file && rename(i.file) })) : error.issues);
  }
}

function invalidPack(spec: string, issues: PackIssue[]): PackSourceError {
  const lines = issues.map(formatIssue);
  return new PackSourceError('PACK_INVALID', `${spec} is not a valid pack:\n  ${lines.join('\n  ')}`, 'Fix the issues listed (`npx gatehouse check DIR` shows them), then diff again.', {
    source: spec,
    issues: lines,
  });
}

// ---- Git ref with a path ----------------------------------------------------------------------------

interface GitResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

function git(args: string[], cwd: string): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const errno = (error as NodeJS.ErrnoException | null)?.code;
      if (errno === 'ENOENT') {
        reject(new PackSourceError('GIT_UNAVAILABLE', 'git is not installed or not on PATH.', 'Install git, or diff two pack folders instead.'));
        return;
      }
      resolve({ stdout, stderr: stderr.toString('utf8').trim(), code: error ? (typeof errno === 'number' ? errno : 1) : 0 });
    });
  });
}

/**
 * Materialises `ref:path` into a temporary folder with `git ls-tree` and
 * `git cat-file` (no checkout, so the working tree is untouched), loads it,
 * and removes the folder. Only regular files are written: a symlink in the
 * tree could otherwise point the loader outside the pack.
 */
async function loadGitTree(ref: string, treePath: string, cwd: string, spec: string): Promise<CompiledPack> {
  await verifyGitRef(ref, treePath, cwd, spec);
  const tree = `${ref}:${treePath}`;
  const listing = await git(['ls-tree', '-r', '-z', tree], cwd);
  if (listing.code !== 0) throw gitPathNotFound(spec, ref, treePath, listing.stderr);
  const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-diff-'));
  try {
    for (const entry of parseLsTree(listing.stdout)) {
      if (entry.type !== 'blob' || entry.mode === '120000') continue;
      const blob = await git(['cat-file', 'blob', entry.object], cwd);
      if (blob.code !== 0) throw new PackSourceError('GIT_READ_FAILED', `could not read ${tree}/${entry.name}: ${blob.stderr}`, 'Check that the repository is not corrupt (`git fsck`).', { source: spec });
      const file = path.join(dir, entry.name);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, blob.stdout);
    }
    const prefix = `${dir}${path.sep}`;
    return await loadFolder(dir, spec, (file) => (file.startsWith(prefix) ? `${tree.replace(/\/+$/, '')}/${file.slice(prefix.length)}` : file));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function verifyGitRef(ref: string, treePath: string, cwd: string, spec: string): Promise<void> {
  // A leading '-' would be read as an option; no git ref starts with one.
  if (ref.startsWith('-') || treePath.startsWith('-')) {
    throw new PackSourceError('GIT_REF_NOT_FOUND', `${spec} is not a git ref with a path.`, 'Write it as REF:PATH, e.g. `origin/main:rules/qa`.', { source: spec });
  }
  const commit = await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], cwd);
  if (commit.code !== 0) {
    const why = commit.stderr ? ` (${commit.stderr})` : '';
    throw new PackSourceError(
      'GIT_REF_NOT_FOUND',
      `unknown git ref "${ref}" in ${cwd}${why}.`,
      `Check the name with \`git rev-parse ${ref}\`; in CI, fetch the base branch first (\`git fetch origin main\`) and use \`origin/main:PATH\`.`,
      { source: spec, ref },
    );
  }
  const type = await git(['cat-file', '-t', `${ref}:${treePath}`], cwd);
  const kind = type.stdout.toString('utf8').trim();
  if (type.code !== 0) throw gitPathNotFound(spec, ref, treePath, type.stderr);
  if (kind !== 'tree') {
    throw new PackSourceError('GIT_PATH_NOT_FOUND', `${ref}:${treePath} is a ${kind}, not a folder.`, 'Name the pack folder (the one holding pack.yaml), e.g. `main:rules/qa`.', {
      source: spec,
      ref,
      path: treePath,
    });
  }
}

function gitPathNotFound(spec: string, ref: string, treePath: string, stderr: string): PackSourceError {
  return new PackSourceError(
    'GIT_PATH_NOT_FOUND',
    `there is no folder "${treePath}" at git ref "${ref}"${stderr ? ` (${stderr})` : ''}.`,
    `List what the ref holds with \`git ls-tree ${ref} --name-only\`; the path is relative to the repository root (use \`${ref}:./PATH\` for one relative to the current folder).`,
    { source: spec, ref, path: treePath },
  );
}

interface TreeEntry {
  mode: string;
  type: string;
  object: string;
  name: string;
}

/** `git ls-tree -z` lines: `<mode> SP <type> SP <object> TAB <name> NUL`. */
function parseLsTree(output: Buffer): TreeEntry[] {
  return output
    .toString('utf8')
    .split('\0')
    .filter((line) => line.length > 0)
    .map((line) => {
      const tab = line.indexOf('\t');
      const [mode = '', type = '', object = ''] = line.slice(0, tab).split(' ');
      return { mode, type, object, name: line.slice(tab + 1) };
    });
}

// ---- Published version ------------------------------------------------------------------------------

async function loadPublished(id: string, version: string, reader: PublishedPackReader): Promise<ResolvedSource> {
  const stored = await reader.get(id, version);
  if (!stored) {
    const known = (await reader.versions(id)).map((v) => v.version);
    throw new PackSourceError(
      'POLICY_VERSION_NOT_FOUND',
      `${id}@${version} is not a published pack version${known.length > 0 ? ` (published: ${known.join(', ')})` : ` (no version of "${id}" is published)`}.`,
      'Pick a published version (GET /v1/packs/{id}/versions), or diff against a folder or a git ref instead.',
      { pack: id, version, published: known },
    );
  }
  let pack: CompiledPack;
  try {
    pack = compilePack(stored.resolved as ResolvedPack);
  } catch (error) {
    if (error instanceof PackError) throw invalidPack(`${id}@${version}`, error.issues);
    throw error;
  }
  // The stored hash is the published identity; a different compiled hash means the engine changed the resolved shape.
  const warnings =
    pack.hash === stored.hash ? [] : [`${id}@${version} was published with hash ${stored.hash}; this engine compiles it to ${pack.hash}.`];
  return { pack, warnings };
}
