/** Hand-written in-memory fakes of the stores, for unit tests of the services. */
import type { AuditRow, AuditStore } from '../../server/audit/audit-store.js';
import type { ApiKeyRecord, KeyStore } from '../../server/auth/key-store.js';
import type { SigningKeyRecord, SigningKeyStore } from '../../server/receipts/signing-key-store.js';

/** `now` stamps created_at, as the database's clock would (tests that move time pass theirs). */
export function fakeSigningKeyStore(now: () => Date = () => new Date()): SigningKeyStore & { records: SigningKeyRecord[] } {
  const records: SigningKeyRecord[] = [];
  return {
    records,
    all: async () => records.map((r) => ({ ...r })),
    insert: async (k) => {
      records.push({ ...k, created_at: new Date(now().getTime() + records.length), retired_at: null, revoked_at: null });
    },
    retire: async (kid, at) => {
      const r = records.find((x) => x.kid === kid);
      if (!r) throw new Error(`no key ${kid}`);
      r.retired_at = at;
    },
    revoke: async (kid, at) => {
      const r = records.find((x) => x.kid === kid);
      if (!r) throw new Error(`no key ${kid}`);
      r.revoked_at = at;
      r.retired_at ??= at;
    },
  };
}

export function fakeKeyStore(): KeyStore & { records: ApiKeyRecord[] } {
  const records: ApiKeyRecord[] = [];
  return {
    records,
    count: async () => records.length,
    insert: async (k) => {
      const record = { ...k, id: `key-${records.length + 1}`, created_at: new Date(), revoked_at: null as Date | null };
      records.push(record);
      return record;
    },
    all: async () => [...records],
    revoke: async (idOrLabel, at = new Date()) => {
      const record = records.find((r) => r.id === idOrLabel || r.label === idOrLabel);
      if (record) record.revoked_at ??= at;
      return record;
    },
  };
}

/** An audit store that records each insertMany call and can be told to fail. */
export function fakeAuditStore(): AuditStore & { batches: AuditRow[][]; failing: boolean } {
  const rows = new Map<string, AuditRow>();
  const store = {
    batches: [] as AuditRow[][],
    failing: false,
    async insertMany(batch: AuditRow[]) {
      await new Promise((r) => setTimeout(r, 1));
      if (store.failing) throw new Error('audit store down');
      store.batches.push(batch);
      for (const row of batch) if (!rows.has(row.request_id)) rows.set(row.request_id, row);
    },
    get: async (id: string) => rows.get(id),
    query: async () => ({ rows: [...rows.values()], next_cursor: null }),
    watchHeads: () => () => undefined,
  };
  return store;
}
