import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { toDate, toNumber } from '../db/driver-values.js';

export type Role = 'evaluator' | 'admin';

/** An API key as stored: only its hash, never the key. */
export interface ApiKeyRecord {
  id: string;
  role: Role;
  key_hash: string;
  label: string;
  created_at: Date;
  /** Set by `gatehouse api-keys revoke`; a revoked key is never accepted again. */
  revoked_at: Date | null;
}

export interface KeyStore {
  count(): Promise<number>;
  insert(k: { role: Role; key_hash: string; label: string }): Promise<ApiKeyRecord>;
  /** Oldest first, revoked keys included. */
  all(): Promise<ApiKeyRecord[]>;
  /** Marks the key with this id or label revoked; the record as it is now, or undefined when there is none. */
  revoke(idOrLabel: string, at?: Date): Promise<ApiKeyRecord | undefined>;
}

const TABLE = 'api_keys';

export function createKeyStore(knex: Knex): KeyStore {
  return {
    async count() {
      const row = await knex(TABLE).count({ n: '*' }).first();
      return toNumber(row?.n ?? 0);
    },

    async insert(k) {
      const [row] = await knex(TABLE)
        .insert({ id: randomUUID(), role: k.role, key_hash: k.key_hash, label: k.label })
        .returning('*');
      return mapRow(row);
    },

    async all() {
      const rows = await knex(TABLE).select('*').orderBy([{ column: 'created_at' }, { column: 'id' }]);
      return rows.map(mapRow);
    },

    async revoke(idOrLabel, at = new Date()) {
      const match = (q: Knex.QueryBuilder) => q.where('id', idOrLabel).orWhere('label', idOrLabel);
      // A second revoke keeps the first time.
      await knex(TABLE).where(match).whereNull('revoked_at').update({ revoked_at: at });
      const row = await knex(TABLE).where(match).first();
      return row ? mapRow(row) : undefined;
    },
  };
}

function mapRow(r: Record<string, unknown>): ApiKeyRecord {
  return {
    id: String(r.id),
    role: r.role as Role,
    key_hash: String(r.key_hash),
    label: String(r.label),
    created_at: toDate(r.created_at),
    revoked_at: r.revoked_at === null || r.revoked_at === undefined ? null : toDate(r.revoked_at),
  };
}
