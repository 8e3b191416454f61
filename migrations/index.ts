import type { Knex } from 'knex';
import * as createAppendOnlyGuard from './20261124070000_create_append_only_guard.js';
import * as createAuditEvents from './20261124070100_create_audit_events.js';
import * as createAgentRuns from './20261124070200_create_agent_runs.js';
import * as createPackVersions from './20261124070300_create_pack_versions.js';
import * as createStagePins from './20261124070400_create_stage_pins.js';
import * as createApiKeys from './20261124070500_create_api_keys.js';
import * as createSigningKeys from './20261124070600_create_signing_keys.js';
import * as createKillSwitch from './20261124080000_create_kill_switch.js';
import * as createFleetInstances from './20261124080100_create_fleet_instances.js';
import * as addStageShadow from './20261124080200_add_stage_shadow.js';
import * as createShadowResults from './20261124080300_create_shadow_results.js';
import * as createOverrides from './20261124090000_create_overrides.js';
import * as addAuditContentKind from './20261124090100_add_audit_content_kind.js';
import * as auditChainAndPruneFunction from './20261202140000_audit_chain_and_prune_function.js';
import * as addApiKeyRevokedAt from './20261202160000_add_api_key_revoked_at.js';
import * as addSigningKeyRevokedAt from './20261202170000_add_signing_key_revoked_at.js';
import * as auditAppendFunction from './20261206210000_audit_append_function.js';
import * as auditLz4Compression from './20261206220000_audit_lz4_compression.js';

// A static list instead of knex's directory loader: loading .ts migrations from a folder
// fails under vitest, and names without an extension stay the same once compiled to .js.
// Append new migrations at the end; never edit or reorder a merged one.

export interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const migrations: readonly Migration[] = [
  { name: '20261124070000_create_append_only_guard', ...createAppendOnlyGuard },
  { name: '20261124070100_create_audit_events', ...createAuditEvents },
  { name: '20261124070200_create_agent_runs', ...createAgentRuns },
  { name: '20261124070300_create_pack_versions', ...createPackVersions },
  { name: '20261124070400_create_stage_pins', ...createStagePins },
  { name: '20261124070500_create_api_keys', ...createApiKeys },
  { name: '20261124070600_create_signing_keys', ...createSigningKeys },
  { name: '20261124080000_create_kill_switch', ...createKillSwitch },
  { name: '20261124080100_create_fleet_instances', ...createFleetInstances },
  { name: '20261124080200_add_stage_shadow', ...addStageShadow },
  { name: '20261124080300_create_shadow_results', ...createShadowResults },
  { name: '20261124090000_create_overrides', ...createOverrides },
  { name: '20261124090100_add_audit_content_kind', ...addAuditContentKind },
  { name: '20261202140000_audit_chain_and_prune_function', ...auditChainAndPruneFunction },
  { name: '20261202160000_add_api_key_revoked_at', ...addApiKeyRevokedAt },
  { name: '20261202170000_add_signing_key_revoked_at', ...addSigningKeyRevokedAt },
  { name: '20261206210000_audit_append_function', ...auditAppendFunction },
  { name: '20261206220000_audit_lz4_compression', ...auditLz4Compression },
];

export const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => [...migrations],
  getMigrationName: (migration) => migration.name,
  getMigration: async (migration) => migration,
};
