/**
 * The packs this server can evaluate with: at start, every pack in the rules
 * folder is published to the pack store (immutable versions); a pinned
 * version that is not in the folder is compiled from its stored `resolved`
 * document. Compiled packs are cached per `id@version`.
 */
import type { Logger } from 'pino';
import { compilePack, formatIssue, loadPacks, PackError, type CompiledPack, type ResolvedPack } from '../../engine/index.js';
import { AppError } from '../errors.js';
import type { PackCache } from './pack-cache.js';
import { PackVersionConflictError, type PackStore, type PublishedPack } from './pack-store.js';

export interface PackLoadReport {
  loaded: boolean;
  published: string[];
  unchanged: string[];
  /** id@version refused because the store holds other content under that version. */
  conflicts: string[];
  /** Load errors as `file:line:col path: message` lines. */
  errors: string[];
}

export interface PackRegistry {
  /** Loads the rules folder and publishes its packs; never throws for a bad pack. */
  start(): Promise<PackLoadReport>;
  report(): PackLoadReport;
  /** The compiled pack for a published version; POLICY_VERSION_NOT_FOUND when it is not published. */
  compiled(packId: string, version: string): Promise<CompiledPack>;
  /** The published version (without its document), or POLICY_VERSION_NOT_FOUND. */
  published(packId: string, version: string): Promise<PublishedPack>;
  list(): Promise<PublishedPack[]>;
  versions(packId: string): Promise<PublishedPack[]>;
}

export function createPackRegistry(deps: { store: PackStore; rulesDir: string; logger: Logger; cache?: PackCache }): PackRegistry {
  const { store, rulesDir, logger, cache: packCache } = deps;
  const cache = new Map<string, Promise<CompiledPack>>();
  const summaries = new Map<string, PublishedPack>();
  const report: PackLoadReport = { loaded: false, published: [], unchanged: [], conflicts: [], errors: [] };
  const key = (id: string, version: string) => `${id}@${version}`;

  async function publishOne(pack: CompiledPack): Promise<void> {
    const ref = key(pack.id, pack.version);
    try {
      const outcome = await store.publish({ pack_id: pack.id, version: pack.version, hash: pack.hash, resolvedJson: pack.resolvedJson });
      report[outcome === 'published' ? 'published' : 'unchanged'].push(ref);
      cache.set(ref, Promise.resolve(pack));
      logger.info({ pack: ref, hash: pack.hash, outcome }, `pack ${ref} ${outcome}`);
    } catch (error) {
      if (!(error instanceof PackVersionConflictError)) throw error;
      report.conflicts.push(ref);
      logger.error({ pack: ref, ...error.details }, `pack ${ref} refused: ${error.message}`);
    }
  }

  async function compileStored(packId: string, version: string): Promise<CompiledPack> {
    const stored = await store.get(packId, version);
    if (!stored) throw notFound(packId, version);
    const resolved = stored.resolved as ResolvedPack;
    const pack = packCache ? await packCache.compile(stored.hash, resolved) : compilePack(resolved);
    if (pack.hash !== stored.hash) {
      logger.warn({ pack: key(packId, version), stored: stored.hash, compiled: pack.hash }, 'compiled hash differs from the published hash');
    }
    return pack;
  }

  return {
    async start() {
      let loaded: Awaited<ReturnType<typeof loadPacks>>;
      try {
        loaded = await loadPacks(rulesDir, packCache ? (dir) => packCache.load(dir) : undefined);
      } catch (error) {
        if (!(error instanceof PackError)) throw error;
        loaded = { packs: [], errors: [error] };
      }
      for (const error of loaded.errors) {
        for (const issue of error.issues) {
          report.errors.push(formatIssue(issue));
          logger.error({ issue: formatIssue(issue) }, `pack not loaded: ${formatIssue(issue)}`);
        }
      }
      for (const pack of loaded.packs) await publishOne(pack);
      report.loaded = true;
      return report;
    },

    report: () => report,

    compiled(packId, version) {
      const ref = key(packId, version);
      let pending = cache.get(ref);
      if (!pending) {
        pending = compileStored(packId, version);
        cache.set(ref, pending);
        // A failure is not cached: the next request tries again.
        pending.catch(() => cache.delete(ref));
      }
      return pending;
    },

    async published(packId, version) {
      // Published versions are immutable, so their summary may be cached for good.
      const ref = key(packId, version);
      const known = summaries.get(ref);
      if (known) return known;
      const summary = await store.summary(packId, version);
      if (!summary) throw notFound(packId, version);
      summaries.set(ref, summary);
      return summary;
    },

    list: () => store.list(),
    versions: (packId) => store.versions(packId),
  };

  function notFound(packId: string, version: string): AppError {
    return new AppError('POLICY_VERSION_NOT_FOUND', `${packId}@${version} is not a published pack version.`, {
      details: { pack: packId, version },
    });
  }
}
