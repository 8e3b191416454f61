/**
 * Compiled packs kept on disk between starts (issue 5: ready in under 1.5 s after the first run).
 * A cold compile of the default pack takes ~3 s: the YAML, the JSON Schema checks, the content
 * hash, and building the phrase sets and text models. An entry holds the resolved document and
 * the engine's prebuilt bytes (engine/prebuilt.ts), so a start skips all of that.
 *
 * An entry belongs to one engine build (its module files and the packages that shape a compile),
 * and a pack folder's entry is taken only when every file the engine read for it reads the same
 * again, byte for byte. Anything unreadable is a miss, and a failed write only a warning: the
 * cache can make a start slower, never wrong or failed.
 *
 *   <dir>/<build>/packs/<hash>.bin       resolved JSON and prebuilt bytes
 *   <dir>/<build>/folders/<key>.json     a folder's files with their sha256, and its pack's hash
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { compilePack, loadPack, prebuiltOf, type CompiledPack, type ResolvedPack } from '../../engine/index.js';

/** Entries kept per engine build: the packs of the rules folder and a few pinned versions, not every edit of a pack. */
const MAX_ENTRIES = 8;
/** An engine build's folder: the first 16 hex digits of its digest (engineBuild). */
const BUILD_NAME = /^[0-9a-f]{16}$/;
/** Packages whose version changes what a compile gives (parsing, schemas, inflections, built-in terms). */
const COMPILE_PACKAGES = ['yaml', 'ajv', '@sinclair/typebox', 'compromise', 'leo-profanity'];

export interface PackCache {
  /** The pack in folder `dir`: from the cache when its files are unchanged, else loaded, compiled and kept. Throws as loadPack does. */
  load(dir: string): Promise<CompiledPack>;
  /** A stored version's pack: from the cache by its hash, else compiled and kept. */
  compile(hash: string, resolved: ResolvedPack): Promise<CompiledPack>;
}

interface FolderEntry {
  hash: string;
  /** [file, sha256 hex] of every file the engine read, in reading order. */
  files: [string, string][];
}

/** `strict`: a pack that cannot be kept is an error, not a warning (`gatehouse precompile`). */
export function createPackCache(options: { dir: string; logger: Logger; strict?: boolean }): PackCache {
  const { logger } = options;
  let root: Promise<string> | undefined;
  const buildDir = () => (root ??= engineBuild().then((build) => path.join(options.dir, build)));
  const packFile = async (hash: string) => path.join(await buildDir(), 'packs', `${hash.replace(/^sha256:/, '')}.bin`);
  const folderFile = async (dir: string) => path.join(await buildDir(), 'folders', `${sha256(path.resolve(dir))}.json`);

  async function fromEntry(hash: string, resolved?: ResolvedPack): Promise<CompiledPack | undefined> {
    const bytes = await readFile(await packFile(hash));
    const jsonBytes = bytes.readUInt32LE(0);
    const prebuilt = bytes.subarray(4 + jsonBytes);
    const json = resolved ? undefined : bytes.toString('utf8', 4, 4 + jsonBytes);
    const pack = compilePack(resolved ?? (JSON.parse(json!) as ResolvedPack), { prebuilt, resolvedJson: json });
    return pack.hash === hash ? pack : undefined;
  }

  async function keep(pack: CompiledPack, folder?: { dir: string; files: [string, string][] }): Promise<void> {
    try {
      const file = await packFile(pack.hash);
      const json = Buffer.from(pack.resolvedJson, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32LE(json.length);
      await writeAtomically(file, [length, json, prebuiltOf(pack)]);
      if (folder) await writeAtomically(await folderFile(folder.dir), [JSON.stringify({ hash: pack.hash, files: folder.files } satisfies FolderEntry)]);
      await prune(path.dirname(file), options.dir);
    } catch (error) {
      if (options.strict) throw error;
      logger.warn({ err: error, pack: `${pack.id}@${pack.version}` }, 'pack cache: could not keep the compiled pack; the next start compiles it again');
    }
  }

  async function cachedFolder(dir: string): Promise<CompiledPack | undefined> {
    const entry = JSON.parse(await readFile(await folderFile(dir), 'utf8')) as FolderEntry;
    for (const [file, digest] of entry.files) if (sha256(await readFile(file, 'utf8')) !== digest) return undefined;
    return fromEntry(entry.hash);
  }

  return {
    async load(dir) {
      const started = performance.now();
      const cached = await cachedFolder(dir).catch(() => undefined);
      if (cached) {
        logger.info({ pack: `${cached.id}@${cached.version}`, ms: Math.round(performance.now() - started) }, 'pack compiled from the pack cache');
        return cached;
      }
      const files: [string, string][] = [];
      const pack = await loadPack(dir, { onRead: (file, text) => files.push([path.resolve(file), sha256(text)]) });
      await keep(pack, { dir, files });
      return pack;
    },

    async compile(hash, resolved) {
      const cached = await fromEntry(hash, resolved).catch(() => undefined);
      if (cached) return cached;
      const pack = compilePack(resolved);
      if (pack.hash === hash) await keep(pack);
      return pack;
    },
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Through a file of its own and a rename: a reader (another instance on the data dir) sees the old entry or the whole new one. */
async function writeAtomically(file: string, parts: (string | Uint8Array)[]): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, parts);
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/**
 * Keeps the MAX_ENTRIES packs written last in `packsDir`, and no other engine build's folder in
 * `cacheDir`; nothing else there is touched (the folder may be one that other programs use too).
 */
async function prune(packsDir: string, cacheDir: string): Promise<void> {
  const build = path.basename(path.dirname(packsDir));
  for (const other of await readdir(cacheDir)) {
    if (other !== build && BUILD_NAME.test(other)) await rm(path.join(cacheDir, other), { recursive: true, force: true });
  }
  const entries = await Promise.all(
    (await readdir(packsDir)).filter((name) => name.endsWith('.bin')).map(async (name) => ({ name, mtime: (await stat(path.join(packsDir, name))).mtimeMs })),
  );
  entries.sort((a, b) => b.mtime - a.mtime);
  for (const old of entries.slice(MAX_ENTRIES)) await unlink(path.join(packsDir, old.name)).catch(() => undefined);
}

/**
 * The engine build, as a short digest of the engine's module files (whichever this process runs:
 * `dist/engine/*.js`, or the TypeScript under tsx), the packages a compile reads, and Node's version.
 */
async function engineBuild(): Promise<string> {
  const engineDir = fileURLToPath(new URL('../../engine/', import.meta.url));
  const hash = createHash('sha256').update(process.version);
  for (const file of (await readdir(engineDir, { recursive: true })).sort()) {
    if (!/\.(js|ts)$/.test(file)) continue;
    hash.update(`\0${file}\0`).update(await readFile(path.join(engineDir, file)));
  }
  for (const name of COMPILE_PACKAGES) hash.update(`\0${name}@${await packageVersion(name)}`);
  return hash.digest('hex').slice(0, 16);
}

/** An installed package's version, from the package.json above its entry point (not every package exports its package.json). */
async function packageVersion(name: string): Promise<string> {
  let dir = path.dirname(createRequire(import.meta.url).resolve(name));
  for (;;) {
    const manifest = await readFile(path.join(dir, 'package.json'), 'utf8').catch(() => undefined);
    if (manifest) {
      const { name: found, version } = JSON.parse(manifest) as { name?: string; version?: string };
      if (found === name) return version ?? '?';
    }
    const parent = path.dirname(dir);
    if (parent === dir) return '?';
    dir = parent;
  }
}
