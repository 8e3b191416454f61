import type { Knex } from 'knex';
import { fromJson, toDate, toDateOrNull, toJsonb } from '../db/driver-values.js';

export interface SigningKeyRecord {
  kid: string;
  alg: 'EdDSA';
  public_jwk: Record<string, unknown>;
  private_jwk: Record<string, unknown>;
  created_at: Date;
  /** Set once the key no longer signs; it still verifies receipts it signed. */
  retired_at: Date | null;
  /** Set when the key leaked (`keys rotate --revoke`): it verifies nothing from then on. */
  revoked_at: Date | null;
}

export interface SigningKeyStore {
  /** Oldest first. */
  all(): Promise<SigningKeyRecord[]>;
  insert(k: Omit<SigningKeyRecord, 'created_at' | 'retired_at' | 'revoked_at'>): Promise<void>;
  /** Throws when no key has this kid. */
  retire(kid: string, at: Date): Promise<void>;
  /** Revokes (and retires, if it was not) the key; throws when no key has this kid. */
  revoke(kid: string, at: Date): Promise<void>;
}

const TABLE = 'signing_keys';

export function createSigningKeyStore(knex: Knex): SigningKeyStore {
  return {
    async all() {
      const rows = await knex(TABLE).select('*').orderBy([{ column: 'created_at' }, { column: 'kid' }]);
      return rows.map(mapRow);
    },

    async insert(k) {
      await knex(TABLE).insert({
        kid: k.kid,
        alg: k.alg,
        public_jwk: toJsonb(k.public_jwk),
        private_jwk: toJsonb(k.private_jwk),
      });
    },

    async retire(kid, at) {
      const changed = await knex(TABLE).where({ kid }).update({ retired_at: at });
      if (changed === 0) throw new Error(`no signing key with kid ${kid}`);
    },

    async revoke(kid, at) {
      const changed = await knex(TABLE).where({ kid }).update({ revoked_at: at, retired_at: knex.raw('coalesce(retired_at, ?)', [at]) });
      if (changed === 0) throw new Error(`no signing key with kid ${kid}`);
    },
  };
}

function mapRow(r: Record<string, unknown>): SigningKeyRecord {
  return {
    kid: String(r.kid),
    alg: r.alg as 'EdDSA',
    public_jwk: fromJson<Record<string, unknown>>(r.public_jwk),
    private_jwk: fromJson<Record<string, unknown>>(r.private_jwk),
    created_at: toDate(r.created_at),
    retired_at: toDateOrNull(r.retired_at),
    revoked_at: toDateOrNull(r.revoked_at),
  };
}
