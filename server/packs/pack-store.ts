import type { Knex } from 'knex';
import { fromJson, toDate, toJsonb } from '../db/driver-values.js';

export interface PublishedPack {
  pack_id: string;
  version: string;
  hash: string;
  published_at: Date;
  /** The resolved pack document; only `get` returns it. */
  resolved?: unknown;
}

export interface PackStore {
  /** Throws PackVersionConflictError when id@version exists with another hash. */
  /** The document as a value, or as its JSON text when the caller holds that (a compiled pack's `resolvedJson`: sent as it is). */
  publish(p: { pack_id: string; version: string; hash: string } & ({ resolved: unknown } | { resolvedJson: string })): Promise<'published' | 'unchanged'>;
  /** Every published version of every pack, without `resolved`: by pack id, newest first. */
  list(): Promise<PublishedPack[]>;
  /** One pack's versions, without `resolved`, newest first. */
  versions(packId: string): Promise<PublishedPack[]>;
  /** One version, with `resolved`. */
  get(packId: string, version: string): Promise<PublishedPack | undefined>;
  /** One version without `resolved` (megabytes for a pack with models). */
  summary(packId: string, version: string): Promise<PublishedPack | undefined>;
}

/** A published version is immutable: the same id@version with other content is refused. */
export class PackVersionConflictError extends Error {
  readonly code = 'PACK_VERSION_CONFLICT';
  readonly details: { pack_id: string; version: string; existing_hash: string; new_hash: string };

  constructor(
    readonly pack_id: string,
    readonly version: string,
    readonly existing_hash: string,
    readonly new_hash: string,
  ) {
    super(
      `${pack_id}@${version} is already published with hash ${existing_hash}; ` +
        `this content has hash ${new_hash}. Publish the change under a new version.`,
    );
    this.name = 'PackVersionConflictError';
    this.details = { pack_id, version, existing_hash, new_hash };
  }
}

const TABLE = 'pack_versions';
const SUMMARY_COLUMNS = ['pack_id', 'version', 'hash', 'published_at'];
const NEWEST_FIRST = [
  { column: 'published_at', order: 'desc' },
  { column: 'version', order: 'desc' },
] as const;

export function createPackStore(knex: Knex): PackStore {
  const publishedHash = async (packId: string, version: string): Promise<string | undefined> =>
    (await knex(TABLE).select('hash').where({ pack_id: packId, version }).first())?.hash as string | undefined;

  return {
    async publish(p) {
      // A restart publishes the same versions again: compare first, so that the document (MBs of
      // jsonb) is sent only when it is new. Then insert, and compare after: two instances
      // publishing at once cannot both win.
      const known = await publishedHash(p.pack_id, p.version);
      if (known === undefined) {
        const inserted = await knex(TABLE)
          .insert({ pack_id: p.pack_id, version: p.version, hash: p.hash, resolved: 'resolvedJson' in p ? p.resolvedJson : toJsonb(p.resolved) })
          .onConflict(['pack_id', 'version'])
          .ignore()
          .returning('pack_id');
        if (inserted.length > 0) return 'published';
      }
      const existing = known ?? (await publishedHash(p.pack_id, p.version));
      if (existing === p.hash) return 'unchanged';
      throw new PackVersionConflictError(p.pack_id, p.version, String(existing), p.hash);
    },

    async list() {
      const rows = await knex(TABLE)
        .select(SUMMARY_COLUMNS)
        .orderBy([{ column: 'pack_id', order: 'asc' }, ...NEWEST_FIRST]);
      return rows.map(mapSummary);
    },

    async versions(packId) {
      const rows = await knex(TABLE).select(SUMMARY_COLUMNS).where({ pack_id: packId }).orderBy([...NEWEST_FIRST]);
      return rows.map(mapSummary);
    },

    async get(packId, version) {
      const row = await knex(TABLE).where({ pack_id: packId, version }).first();
      return row ? { ...mapSummary(row), resolved: fromJson<unknown>(row.resolved) } : undefined;
    },

    async summary(packId, version) {
      const row = await knex(TABLE).select(SUMMARY_COLUMNS).where({ pack_id: packId, version }).first();
      return row ? mapSummary(row) : undefined;
    },
  };
}

function mapSummary(r: Record<string, unknown>): PublishedPack {
  return {
    pack_id: String(r.pack_id),
    version: String(r.version),
    hash: String(r.hash),
    published_at: toDate(r.published_at),
  };
}
