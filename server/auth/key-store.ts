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
}

export interface KeyStore {
  count(): Promise<number>;
  insert(k: { role: Role; key_hash: string; label: string }): Promise<ApiKeyRecord>;
  /** Oldest first. */
  all(): Promise<ApiKeyRecord[]>;
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
  };
}

function mapRow(r: Record<string, unknown>): ApiKeyRecord {
  return {
    id: String(r.id),
    role: r.role as Role,
    key_hash: String(r.key_hash),
    label: String(r.label),
    created_at: toDate(r.created_at),
  };
}
