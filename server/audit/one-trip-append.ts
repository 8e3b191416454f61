/**
 * The audit batch in one round trip on pg (issue 14). The long way (audit-insert.ts) takes three:
 * BEGIN with the locks and the heads, the INSERT, COMMIT; at 100 evaluations a second each is
 * its own batch, and the round trips were most of what the audit cost. A writer that committed a
 * chain's last rows knows where it continues, so it hashes the next batch before asking, and
 * gatehouse_audit_append (migration 20261206210000) locks, checks under the locks that every
 * chain still continues there, and inserts, as one autocommitted statement.
 *
 * What the writer knows is only a hint: checked under the same locks the long way takes, so a
 * wrong one costs a round trip, never a fork. When another writer moved a chain on, nothing is
 * written and the batch takes the long way; that chain then goes the long way for a while, since
 * two instances on one stage (GATEHOUSE_WORKERS) alternate, and hashing a batch twice costs more
 * than the round trips saved.
 */
import type { ChainHead, ChainLink } from './audit-chain.js';

/** Batches of a chain that go the long way after a hint for it turned out stale. */
export const STALE_COOL_DOWN = 32;

/** Where each chain continues after this writer's last commit, and which chains to leave alone for now. */
export interface ChainHints {
  /** The links to hash a batch of these chains from (a new map, the caller's to advance), or undefined when one is unknown or cooling down. */
  linksFor(chains: readonly string[]): Map<string, ChainLink> | undefined;
  /** A batch committed (either way): these are the chains' last rows now. */
  committed(heads: readonly ChainHead[]): void;
  /** Another writer moved these chains on. */
  stale(chains: readonly string[]): void;
  /** The database has no gatehouse_audit_append (dropped by hand): every batch goes the long way from now on. */
  disable(): void;
}

export function chainHints(coolDown = STALE_COOL_DOWN): ChainHints {
  const next = new Map<string, ChainLink>();
  const cooling = new Map<string, number>();
  let disabled = false;
  return {
    linksFor(chains) {
      if (disabled) return undefined;
      let known = true;
      for (const chain of chains) {
        const left = cooling.get(chain);
        if (left !== undefined) {
          known = false;
          if (left <= 1) cooling.delete(chain);
          else cooling.set(chain, left - 1);
        } else if (!next.has(chain)) known = false;
      }
      return known ? new Map(chains.map((chain) => [chain, next.get(chain)!])) : undefined;
    },
    committed(heads) {
      for (const head of heads) next.set(head.chain, { chain: head.chain, seq: head.seq + 1, prev_hash: head.row_hash });
    },
    stale(chains) {
      for (const chain of chains) {
        next.delete(chain);
        cooling.set(chain, coolDown);
      }
    },
    disable() {
      disabled = true;
    },
  };
}

/** How the insert sends a statement (a named prepared statement on pg). */
export type RunStatement = (statement: { name: string; text: string }, values: unknown[]) => Promise<Record<string, unknown>[]>;

export interface OneTrip {
  /** The advisory locks' key space and lock_timeout, as the long way takes them. */
  lockSpace: number;
  lockTimeout: string;
  /** The batch parameter for rows hashed from `links` (advances them). */
  param(links: Map<string, ChainLink>): Buffer | string;
}

const APPEND = {
  name: 'gatehouse_audit_append_v1',
  text: 'SELECT gatehouse_audit_append($1::integer, $2::text, $3::text[], $4::bigint[], $5::text[], $6::jsonb) AS written',
};

/** PostgreSQL's unique_violation: a row present already (an outbox replay), which the long way skips. */
const UNIQUE_VIOLATION = '23505';
/** undefined_function: the migration's function is gone; the long way needs none. */
const UNDEFINED_FUNCTION = '42883';

/**
 * The batch of `chains` (sorted, as the locks are taken) in one statement: the chains' new heads,
 * or undefined when it must take the long way (a chain unknown, cooling down or moved on, or a row
 * present already, or the function missing). Any other error is the batch's.
 */
export async function appendInOneTrip(run: RunStatement, chains: readonly string[], hints: ChainHints, trip: OneTrip): Promise<ChainHead[] | undefined> {
  const links = hints.linksFor(chains);
  if (!links) return undefined;
  // Where each chain is expected to continue, read before `param` advances the links past the batch.
  const expected = chains.map((chain) => links.get(chain)!);
  const param = trip.param(links);
  let answer: Record<string, unknown>[];
  try {
    answer = await run(APPEND, [
      trip.lockSpace,
      trip.lockTimeout,
      chains,
      expected.map((l) => l.seq),
      expected.map((l) => l.prev_hash),
      param,
    ]);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === UNDEFINED_FUNCTION) hints.disable();
    if (code === UNIQUE_VIOLATION || code === UNDEFINED_FUNCTION) return undefined;
    throw error;
  }
  if (answer[0]?.written !== true) {
    hints.stale(chains);
    return undefined;
  }
  return [...links.values()].map((l) => ({ chain: l.chain, seq: l.seq - 1, row_hash: l.prev_hash }));
}
