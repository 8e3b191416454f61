/**
 * The audit batch INSERT, chained. One transaction per batch on one pooled
 * connection, with the same four statement texts every time (named prepared
 * statements on pg, so PostgreSQL parses and plans them once per connection):
 *
 *   1. pg_advisory_xact_lock per chain in the batch, in sorted order (no deadlock
 *      between instances that write the same stages): concurrent writers on one
 *      PostgreSQL queue per chain instead of forking it;
 *   2. the head of each chain (its last row, or the checkpoint a prune left);
 *   3. hashes computed in batch order (batch-parameter.ts, audit-chain.ts) over the row's JCS text,
 *      which is also the text sent for it;
 *   4. one INSERT … SELECT FROM jsonb_populate_recordset($1): the whole batch is one
 *      bind parameter, so no statement is built per batch and no parameter limit applies.
 *
 * On pg, BEGIN, the locks and the heads go in ONE simple-protocol query (1-2 above in one
 * round trip instead of 2 + one per chain + 1; issue 14: a batch paid five round trips, which
 * at moderate load, a few rows per batch, were most of the audit's CPU and of the answer's
 * wait). That is still correct under READ COMMITTED because PostgreSQL takes a new snapshot
 * for each statement of a multi-statement query: the heads SELECT runs after the lock
 * statements have returned, and sees every row committed by the writer that held them.
 *
 * That is the long way. On pg a writer that committed a chain's last batch takes one round trip
 * for the next (one-trip-append.ts): it hashes from where it left the chain, and one function
 * call locks, checks the heads and inserts; a wrong guess writes nothing and comes here.
 *
 * A row whose request_id exists already (an outbox replay) is skipped by ON CONFLICT; its
 * hash would then be missing from the chain, so when the INSERT reports fewer rows than it
 * was given, the transaction is rolled back and retried once without the rows present.
 */
import type { Knex } from 'knex';
import { chainOf, GENESIS_HASH, type ChainHead, type ChainLink } from './audit-chain.js';
import { batchParameter } from './batch-parameter.js';
import type { AuditRow } from './audit-store.js';
import { appendInOneTrip, chainHints } from './one-trip-append.js';

// The columns written; every one is a key of canonicalRow's object (extra row properties never reach the INSERT).
// gatehouse_audit_append (one-trip-append.ts) carries its own copy: a test holds the two equal.
export const COLUMNS = [
  'request_id', 'receipt_id', 'created_at', 'stage', 'mode', 'pack_id', 'policy_version', 'policy_hash', 'decision', 'allowed',
  'violation_codes', 'violations', 'content_sha256', 'content_size', 'content_kind', 'content', 'workflow_id', 'agent', 'platform',
  'caller', 'caller_key_id', 'latency_ms', 'response', 'chain', 'seq', 'prev_hash', 'row_hash',
] as const;

// Any constant: the first key of the two-key advisory lock, so gatehouse's locks do not collide with others'.
const LOCK_SPACE = 0x6761_7465;
// Longer than a batch ever holds a chain's lock (milliseconds), shorter than an outbox replay's deadline.
const LOCK_TIMEOUT = '5s';

const SQL = {
  lock: { name: 'gatehouse_audit_lock_v1', text: `SELECT pg_advisory_xact_lock(${LOCK_SPACE}, hashtext($1))` },
  heads: {
    name: 'gatehouse_audit_heads_v1',
    text: `SELECT c.chain, h.seq, h.row_hash, k.seq AS checkpoint_seq, k.prev_hash AS checkpoint_prev_hash
             FROM unnest($1::text[]) AS c(chain)
             LEFT JOIN LATERAL (SELECT e.seq, e.row_hash FROM audit_events e
                                 WHERE e.chain = c.chain ORDER BY e.seq DESC LIMIT 1) h ON true
             LEFT JOIN LATERAL (SELECT p.seq, p.prev_hash FROM audit_chain_checkpoints p
                                 WHERE p.chain = c.chain ORDER BY p.seq DESC LIMIT 1) k ON true`,
  },
  present: { name: 'gatehouse_audit_present_v1', text: 'SELECT request_id FROM audit_events WHERE request_id = ANY($1::text[])' },
  insert: {
    name: 'gatehouse_audit_insert_v1',
    text: `INSERT INTO audit_events (${COLUMNS.join(', ')})
           SELECT ${COLUMNS.join(', ')} FROM jsonb_populate_recordset(NULL::audit_events, $1::jsonb)
           ON CONFLICT (request_id) DO NOTHING
           RETURNING request_id`,
  },
} as const;

type Statement = { name: string; text: string };
type Run = (statement: Statement | string, values?: unknown[]) => Promise<Record<string, unknown>[]>;
/** The INSERT's parameter for these rows, each hashed after its chain's head (which it advances). */
type Param = (rows: AuditRow[], heads: Map<string, ChainLink>) => Buffer | string;
/** BEGIN and the chains' locks, in sorted order; with `heads`, also returns the heads' rows (read after the locks). */
type Open = (chains: string[], heads: boolean) => Promise<Record<string, unknown>[] | undefined>;

type QueryResult = { rows: Record<string, unknown>[] };
interface RawConnection {
  query(...args: unknown[]): Promise<QueryResult | QueryResult[]>;
}

/** A text literal for a statement sent without parameters (pg's escapeLiteral: E'' when a backslash is in it). */
function literal(text: string): string {
  const quoted = text.replace(/'/g, "''");
  return text.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

const lockText = (chain: string) => `SELECT pg_advisory_xact_lock(${LOCK_SPACE}, hashtext(${literal(chain)}))`;
const headsText = (chains: string[]) => SQL.heads.text.replace('$1::text[]', `ARRAY[${chains.map(literal).join(', ')}]::text[]`);
interface KnexClient {
  acquireConnection(): Promise<RawConnection>;
  releaseConnection(connection: RawConnection): Promise<unknown>;
  config: { client: unknown };
}

/** How a batch was written: in one round trip (pg, the writer knew its chains' heads) or the long way. */
export type BatchPath = 'one-trip' | 'long-way';

/** The insert for this knex handle: pg (named statements) or PGlite (its one connection). */
export function createChainedInsert(knex: Knex, onCommitted: (heads: ChainHead[]) => void = () => undefined): (rows: AuditRow[]) => Promise<BatchPath> {
  const client = knex.client as unknown as KnexClient;
  const named = client.config.client === 'pg';
  // A writer stuck holding a chain's lock (a hung instance) must not hold every other writer's
  // connections for ever: past LOCK_TIMEOUT the batch fails and its rows go to the outbox. One
  // simple-protocol round trip on pg; PGlite has one connection, so no other writer to wait for.
  // The rows as jsonb's binary input on pg (batch-parameter.ts); PGlite gets the text.
  const param: Param = named ? (rows, heads) => batchParameter(rows, heads, true) : (rows, heads) => batchParameter(rows, heads, false);
  const begin = named ? `BEGIN; SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'` : 'BEGIN';
  const runOn = (connection: RawConnection): Run =>
    named
      ? async (s, values) => lastRows(await connection.query(typeof s === 'string' ? s : { name: s.name, text: s.text, values }))
      : async (s, values) => lastRows(await connection.query(typeof s === 'string' ? s : s.text, values ?? []));
  const openOn = (run: Run): Open =>
    named
      ? // One round trip: each statement of a simple query gets its own snapshot, so the heads are read after the locks.
        async (chains, heads) => {
          const rows = await run([begin, ...chains.map(lockText), ...(heads ? [headsText(chains)] : [])].join('; '));
          return heads ? rows : undefined;
        }
      : async (chains, heads) => {
          await run(begin);
          for (const chain of chains) await run(SQL.lock, [chain]);
          return heads ? run(SQL.heads, [chains]) : undefined;
        };

  // Where this writer left each chain: on pg a batch then takes one round trip (one-trip-append.ts).
  const hints = named ? chainHints() : undefined;

  return async (input) => {
    const rows = uniqueByRequestId(input);
    const connection = await client.acquireConnection();
    try {
      const run = runOn(connection);
      const open = openOn(run);
      const trip = { lockSpace: LOCK_SPACE, lockTimeout: LOCK_TIMEOUT, param: (links: Map<string, ChainLink>) => param(rows, links) };
      const oneTrip = hints && (await appendInOneTrip(run, chainsOf(rows), hints, trip));
      // An outbox replay may meet rows already committed: then once more, without them.
      const heads = oneTrip ?? (await insertOnce(run, open, param, rows, false)) ?? (await insertOnce(run, open, param, rows, true));
      if (!heads) throw new Error('the audit chain insert skipped rows twice');
      hints?.committed(heads);
      onCommitted(heads);
      return oneTrip ? 'one-trip' : 'long-way';
    } finally {
      await client.releaseConnection(connection);
    }
  };
}

/** One transaction: the heads it left, or undefined (rolled back) when ON CONFLICT skipped a row. */
async function insertOnce(run: Run, open: Open, param: Param, rows: AuditRow[], skipPresent: boolean): Promise<ChainHead[] | undefined> {
  const chains = chainsOf(rows);
  try {
    // The heads come with the locks, unless present rows must be left out first (a replay's retry).
    // Inside the try: a lock that times out leaves the transaction open and aborted, to roll back.
    let headRows = await open(chains, !skipPresent && rows.length > 0);
    let todo = rows;
    if (skipPresent) {
      const present = new Set((await run(SQL.present, [rows.map((r) => r.request_id)])).map((r) => String(r.request_id)));
      todo = rows.filter((r) => !present.has(r.request_id));
    }
    let heads = new Map<string, ChainLink>();
    if (todo.length > 0) {
      headRows ??= await run(SQL.heads, [chains]);
      heads = nextLinks(headRows);
      const inserted = await run(SQL.insert, [param(todo, heads)]);
      if (inserted.length !== todo.length) {
        await run('ROLLBACK');
        return undefined;
      }
    }
    await run('COMMIT');
    const written = new Set(todo.map(chainOf));
    return [...heads.values()].filter((h) => written.has(h.chain)).map((h) => ({ chain: h.chain, seq: h.seq - 1, row_hash: h.prev_hash }));
  } catch (error) {
    await run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** The rows of a query's last statement (a simple query with several statements answers one result each). */
function lastRows(result: QueryResult | QueryResult[]): Record<string, unknown>[] {
  return Array.isArray(result) ? (result[result.length - 1]?.rows ?? []) : result.rows;
}

/** Where each chain continues: after its last row, or at a prune's checkpoint when that is further on. */
function nextLinks(heads: Record<string, unknown>[]): Map<string, ChainLink> {
  const links = new Map<string, ChainLink>();
  for (const h of heads) {
    const chain = String(h.chain);
    const seq = h.seq === null ? 0 : Number(h.seq);
    const checkpoint = h.checkpoint_seq === null ? 0 : Number(h.checkpoint_seq);
    if (checkpoint > seq) links.set(chain, { chain, seq: checkpoint, prev_hash: String(h.checkpoint_prev_hash) });
    else if (seq > 0) links.set(chain, { chain, seq: seq + 1, prev_hash: String(h.row_hash) });
    else links.set(chain, { chain, seq: 1, prev_hash: GENESIS_HASH });
  }
  return links;
}

/** The batch's chains in the order their locks are taken. */
function chainsOf(rows: AuditRow[]): string[] {
  return [...new Set(rows.map(chainOf))].sort();
}

function uniqueByRequestId(rows: AuditRow[]): AuditRow[] {
  const seen = new Set<string>();
  return rows.filter((r) => !seen.has(r.request_id) && seen.add(r.request_id));
}
