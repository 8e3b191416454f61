import type { Knex } from 'knex';

/** One agent run as reported by a workflow (append-only telemetry). */
export interface AgentRun {
  workflow_id: string;
  agent: string;
  /** Epoch milliseconds. */
  start_ms: number;
  end_ms: number;
  success: boolean;
  failure_reason: string | null;
  caller: string;
  /** @defaultValue the database's current time */
  created_at?: Date;
}

export interface AgentRunStore {
  insert(run: AgentRun): Promise<void>;
}

export function createAgentRunStore(knex: Knex): AgentRunStore {
  return {
    async insert(run) {
      await knex('agent_runs').insert(toDbRow(run));
    },
  };
}

function toDbRow(run: AgentRun): Record<string, unknown> {
  const row: Record<string, unknown> = {
    workflow_id: run.workflow_id,
    agent: run.agent,
    start_ms: run.start_ms,
    end_ms: run.end_ms,
    success: run.success,
    failure_reason: run.failure_reason,
    caller: run.caller,
  };
  // Omitted rather than undefined, so that the column default applies.
  if (run.created_at !== undefined) row.created_at = run.created_at;
  return row;
}
