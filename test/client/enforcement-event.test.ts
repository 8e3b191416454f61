// Contract test of the SSE `event: enforcement` block against a stored snapshot: front ends parse this text.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  GatehouseError, formatEnforcementEvent, parseEnforcementEvent, type EnforcementSource,
} from '../../client/index.js';

const SNAPSHOT = path.join(import.meta.dirname, '__snapshots__/enforcement-event.txt');
const POLICY = { pack: 'qa', version: '1.0.0', hash: `sha256:${'ab'.repeat(32)}` };

const violation = (code: string, post: number) => ({
  code, check: code.toLowerCase(), severity: 'block' as const, post, message: `${code} found.`, suggestedFix: 'Rewrite it.',
});

/** Fixed decisions, one per shape the event can take. */
const DECISIONS: EnforcementSource[] = [
  {
    request_id: '11111111-1111-4111-8111-111111111111', receipt_id: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
    stage: 'prod', mode: 'enforced', policy: POLICY, decision: 'PASS', allowed: true, violations: [], warnings: [], audit_ok: true,
  },
  {
    request_id: '22222222-2222-4222-8222-222222222222', receipt_id: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
    stage: 'prod', mode: 'enforced', policy: POLICY, decision: 'FAIL', allowed: false,
    violations: [violation('PROFANITY', 0), violation('PROFANITY', 2), violation('TOS_SPAM', 1)], warnings: [], audit_ok: true,
    error: { code: 'QA_REJECTED', message: 'Blocked by 3 violations: PROFANITY, TOS_SPAM.', suggestedFix: 'Apply the edits.', details: {} },
  },
  {
    request_id: '33333333-3333-4333-8333-333333333333', receipt_id: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc',
    stage: 'dev', mode: 'advisory', policy: POLICY, decision: 'FAIL', allowed: true,
    violations: [violation('LENGTH_EXCEEDED', 0)], warnings: [{ ...violation('LENGTH_EXCEEDED', 0) }], audit_ok: true,
  },
  {
    request_id: '44444444-4444-4444-8444-444444444444', receipt_id: 'dddddddd-dddd-4ddd-8ddd-dddddddddddd',
    stage: 'prod', mode: 'off', policy: POLICY, decision: 'SKIPPED', allowed: true, violations: [], warnings: [], audit_ok: true,
  },
  {
    request_id: '55555555-5555-4555-8555-555555555555', receipt_id: null,
    stage: 'prod', mode: 'enforced', policy: POLICY, decision: 'PASS', allowed: false, violations: [], warnings: [], audit_ok: false,
    error: { code: 'AUDIT_UNAVAILABLE', message: 'Not recorded.', suggestedFix: 'Retry shortly.', details: {} },
  },
];

describe('event: enforcement', () => {
  const stored = readFileSync(SNAPSHOT, 'utf8');

  it('formats exactly as the stored snapshot', () => {
    expect(DECISIONS.map(formatEnforcementEvent).join('')).toBe(stored);
  });

  it('parses every block of the snapshot into its event', () => {
    const blocks = stored.split('\n\n').filter((b) => b !== '');
    expect(blocks).toHaveLength(DECISIONS.length);
    const events = blocks.map((b) => parseEnforcementEvent(b));
    expect(events.map((e) => [e.request_id, e.receipt_id, e.mode, e.qa_summary.status, e.audit_ok])).toEqual(
      DECISIONS.map((d) => [d.request_id, d.receipt_id, d.mode, d.decision, d.audit_ok]),
    );
    expect(events[1]!.qa_summary).toEqual({
      status: 'FAIL', allowed: false, stage: 'prod', pack: 'qa', policy_version: '1.0.0',
      violation_codes: ['PROFANITY', 'TOS_SPAM'], warning_codes: [], error_code: 'QA_REJECTED',
    });
  });

  it('parses CRLF line ends, comments, split data lines and unknown fields as the SSE spec says', () => {
    const event = parseEnforcementEvent(DECISIONS.map(formatEnforcementEvent)[0]!);
    const json = JSON.stringify(event);
    const cut = json.indexOf(',"mode"');
    const relayed = `: relayed by the generation service\r\nevent: enforcement\r\nretry: 3000\r\ndata: ${json.slice(0, cut)}\r\ndata:${json.slice(cut)}\r\n\r\n`;
    // Two data lines are joined with a line break, which JSON reads as whitespace.
    expect(parseEnforcementEvent(relayed)).toEqual(event);
  });

  it.each([
    ['another event', 'event: message\ndata: {}\n\n', /event: enforcement/],
    ['no event name', 'data: {}\n\n', /event: message/],
    ['data that is not JSON', 'event: enforcement\ndata: {nope\n\n', /not JSON/],
    ['a lowercase status', formatEnforcementEvent(DECISIONS[0]!).replace('"PASS"', '"pass"'), /qa_summary\/status/],
    ['a missing field', formatEnforcementEvent(DECISIONS[0]!).replace(',"audit_ok":true', ''), /audit_ok/],
  ])('refuses %s with INVALID_EVENT', (_name, block, message) => {
    const error = (() => {
      try {
        parseEnforcementEvent(block);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(GatehouseError);
    expect(error).toMatchObject({ code: 'INVALID_EVENT', message: expect.stringMatching(message) });
  });
});
