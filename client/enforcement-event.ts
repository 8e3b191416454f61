/**
 * Reading the enforcement event of streaming generation on the receiving end.
 * The event itself (schema, payload, SSE block) is part of the contract
 * (contract/enforcement-event.ts), shared with the service's event stream;
 * this file re-exports it for clients and adds the strict parser.
 */
import { Value } from '@sinclair/typebox/value';
import { ENFORCEMENT_EVENT, EnforcementEventSchema, type EnforcementEvent } from '../contract/enforcement-event.js';
import { GatehouseError } from './gatehouse-error.js';

export {
  ENFORCEMENT_EVENT, EnforcementEventSchema, formatEnforcementEvent, toEnforcementEvent,
  type EnforcementEvent, type EnforcementSource,
} from '../contract/enforcement-event.js';

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
