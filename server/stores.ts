/**
 * Every store, built from one database handle. Each table has exactly one
 * owner here (test/architecture/table-owners.test.ts); the composition root
 * and the commands get their stores from this one function and never build
 * one from a raw knex handle themselves.
 */
import type { Knex } from 'knex';
import { createAgentRunStore, type AgentRunStore } from './audit/agent-run-store.js';
import { createAuditQueries, type AuditQueries } from './audit/audit-queries.js';
import { createAuditStore, type AuditStore } from './audit/audit-store.js';
import { createKeyStore, type KeyStore } from './auth/key-store.js';
import { createOverrideStore, type OverrideStore } from './overrides/override-store.js';
import { createPackStore, type PackStore } from './packs/pack-store.js';
import { createSigningKeyStore, type SigningKeyStore } from './receipts/signing-key-store.js';
import { createFleetStore, type FleetStore } from './rollout/fleet-store.js';
import { createKillSwitchStore, type KillSwitchStore } from './rollout/kill-switch-store.js';
import { createShadowStore, type ShadowStore } from './rollout/shadow-store.js';
import { createStageStore, type StageStore } from './stages/stage-store.js';

export interface Stores {
  /** audit_events: appends and reads by id or filter. */
  audit: AuditStore;
  /** agent_runs. */
  agentRuns: AgentRunStore;
  /** The audit read model: aggregates over audit_events and agent_runs (readiness, stats, shadow examples). */
  auditQueries: AuditQueries;
  /** pack_versions. */
  packs: PackStore;
  /** stage_pins and stage_pin_history. */
  stages: StageStore;
  /** api_keys. */
  keys: KeyStore;
  /** signing_keys. */
  signingKeys: SigningKeyStore;
  /** kill_switch and kill_switch_history. */
  killSwitch: KillSwitchStore;
  /** fleet_instances. */
  fleet: FleetStore;
  /** shadow_results. */
  shadow: ShadowStore;
  /** overrides. */
  overrides: OverrideStore;
}

export function createStores(knex: Knex): Stores {
  return {
    audit: createAuditStore(knex),
    agentRuns: createAgentRunStore(knex),
    auditQueries: createAuditQueries(knex),
    packs: createPackStore(knex),
    stages: createStageStore(knex),
    keys: createKeyStore(knex),
    signingKeys: createSigningKeyStore(knex),
    killSwitch: createKillSwitchStore(knex),
    fleet: createFleetStore(knex),
    shadow: createShadowStore(knex),
    overrides: createOverrideStore(knex),
  };
}

/** Runs `read` over stores bound to one REPEATABLE READ, READ ONLY transaction: every figure it reads describes one moment. */
export type Snapshot = <T>(read: (stores: Stores) => Promise<T>) => Promise<T>;

export function snapshotOf(knex: Knex): Snapshot {
  return (read) =>
    knex.transaction(async (trx) => {
      // One snapshot for every figure; nothing here writes.
      await trx.raw('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      return read(createStores(trx));
    });
}
