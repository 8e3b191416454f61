import type { Knex } from 'knex';
import * as createAppendOnlyGuard from './20261124070000_create_append_only_guard.js';
import * as createAuditEvents from './20261124070100_create_audit_events.js';
import * as createAgentRuns from './20261124070200_create_agent_runs.js';
import * as createPackVersions from './20261124070300_create_pack_versions.js';
import * as createStagePins from './20261124070400_create_stage_pins.js';
import * as createApiKeys from './20261124070500_create_api_keys.js';
import * as createSigningKeys from './20261124070600_create_signing_keys.js';

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
];

export const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => [...migrations],
  getMigrationName: (migration) => migration.name,
  getMigration: async (migration) => migration,
};
