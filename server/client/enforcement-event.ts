/**
 * The enforcement event of streaming generation: a generation service that
 * streams text to its front end over Server-Sent Events relays gatehouse's
 * decision as one `event: enforcement` block. The payload is a contract
 * with front ends (test/server/client/__snapshots__/enforcement-event.txt),
 * so its schema lives here, once, and both helpers use it.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { GatehouseError } from './gatehouse-error.js';
import type { StoredDecision } from './types.js';

export const ENFORCEMENT_EVENT = 'enforcement';

const Status = Type.Union([Type.Literal('PASS'), Type.Literal('FAIL'), Type.Literal('SKIPPED')]);
const ModeName = Type.Union([Type.Literal('off'), Type.Literal('advisory'), Type.Literal('enforced')]);

export const EnforcementEventSchema = Type.Object(
  {
    request_id: Type.String(),
    receipt_id: Type.Union([Type.String(), Type.Null()], { description: 'null when the audit row could not be written (no receipt).' }),
    mode: ModeName,
    qa_summary: Type.Object({
      status: Status,
      allowed: Type.Boolean(),
      stage: Type.String(),
      pack: Type.String(),
      policy_version: Type.String(),
      violation_codes: Type.Array(Type.String(), { description: 'Distinct codes of the violations, in order of appearance.' }),
      warning_codes: Type.Array(Type.String()),
      error_code: Type.Union([Type.String(), Type.Null()], { description: 'QA_REJECTED, HARMFUL_CONTENT, AUDIT_UNAVAILABLE, or null.' }),
    }),
    audit_ok: Type.Boolean(),
  },
  { description: 'Data of an SSE `event: enforcement`.' },
);

export type EnforcementEvent = Static<typeof EnforcementEventSchema>;

/** What the event needs of a decision: an evaluate answer or a stored decision both fit. */
export type EnforcementSource = Pick<
  StoredDecision,
  'request_id' | 'receipt_id' | 'mode' | 'stage' | 'policy' | 'decision' | 'allowed' | 'violations' | 'warnings' | 'audit_ok' | 'error'
>;

/** The event's payload, in a fixed key order (front ends and the snapshot compare text). */
export function toEnforcementEvent(decision: EnforcementSource): EnforcementEvent {
  return {
    request_id: decision.request_id,
    receipt_id: decision.receipt_id,
    mode: decision.mode,
    qa_summary: {
      status: decision.decision,
      allowed: decision.allowed,
      stage: decision.stage,
      pack: decision.policy.pack,
      policy_version: decision.policy.version,
      violation_codes: distinct(decision.violations.map((v) => v.code)),
      warning_codes: distinct(decision.warnings.map((w) => w.code)),
      error_code: decision.error?.code ?? null,
    },
    audit_ok: decision.audit_ok,
  };
}

/**
 * A decision as one SSE block: `event: enforcement`, `id: <request_id>` and
 * one `data:` line of JSON, ending with the blank line that dispatches it.
 */
export function formatEnforcementEvent(decision: EnforcementSource): string {
  const event = toEnforcementEvent(decision);
  // JSON.stringify escapes line breaks, so the payload is always one data line.
  return `event: ${ENFORCEMENT_EVENT}\nid: ${event.request_id}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * Parses one SSE block (LF or CRLF, comments and unknown fields ignored,
 * several `data:` lines joined as the SSE spec says) into the event.
 * Rejects anything else with a GatehouseError `INVALID_EVENT`.
 */
export function parseEnforcementEvent(block: string): EnforcementEvent {
  let name = 'message';
  const data: string[] = [];
  for (const line of block.split(/\r\n|\r|\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') name = value;
    else if (field === 'data') data.push(value);
  }
  if (name !== ENFORCEMENT_EVENT) throw invalid(`expected \`event: ${ENFORCEMENT_EVENT}\`, got \`event: ${name}\``);
  let payload: unknown;
  try {
    payload = JSON.parse(data.join('\n'));
  } catch {
    throw invalid('the data is not JSON');
  }
  if (!Value.Check(EnforcementEventSchema, payload)) {
    const first = Value.Errors(EnforcementEventSchema, payload).First();
    throw invalid(`the data does not match the event schema at ${first?.path || '/'}: ${first?.message ?? 'invalid'}`);
  }
  return payload;
}

function invalid(reason: string): GatehouseError {
  return new GatehouseError('INVALID_EVENT', `Not an enforcement event: ${reason}.`);
}

function distinct(codes: string[]): string[] {
  return [...new Set(codes)];
}
