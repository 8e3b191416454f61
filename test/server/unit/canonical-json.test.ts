// The audit row's canonical JSON (server/audit/canonical-json.ts) is the text row_hash is over: it
// must be exactly safe-stable-stringify's deterministic encoding, which wrote every chain so far,
// for every value, including those it hands back to it (and the throws of strict mode).
import { describe, expect, it } from 'vitest';
import { canonicalRow } from '../../../server/audit/audit-chain.js';
import { canonicalJson, canonicalJsonReference } from '../../../server/audit/canonical-json.js';
import { auditRow } from '../../helpers/audit-rows.js';
// A seeded generator (mulberry32), so that a failure names a reproducible case.
import { rng as random } from '../../bench/lib/inputs.js';

const KEYS = ['a', 'b', 'B', 'code', 'check', 'span', 'Z', '_x', 'a_b', 'ab', '', 'é', 'ﬁ', '\u{1F600}', 'x"y', 'new\nline', '1a', '0', '7', '12', '-1', 'toJSON', 'constructor'];
const STRINGS = ['', 'plain', 'quote " and \\ backslash', 'tab\tnewline\n', '\u0001\u001f', 'é ü ß', '\u{1F600} pair', '\ud800 lone', 'x'.repeat(5_001), 'ends with \udfff'];
const NUMBERS = [0, -0, 1, -1, 0.1, 1e21, 1e-7, 123.456, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 5e-324];

function value(next: () => number, depth: number): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const r = next();
  if (depth > 3 || r < 0.35) {
    const kind = Math.floor(next() * 6);
    return kind === 0 ? pick(STRINGS) : kind === 1 ? pick(NUMBERS) : kind === 2 ? next() < 0.5 : kind === 3 ? null : kind === 4 ? undefined : pick(KEYS);
  }
  if (r < 0.6) return Array.from({ length: Math.floor(next() * 5) }, () => value(next, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(next() * 6); i > 0; i--) object[pick(KEYS)] = value(next, depth + 1);
  return object;
}

function outcome(encode: (v: unknown) => string | undefined, v: unknown): { text?: string; threw?: boolean } {
  try {
    return { text: encode(v) };
  } catch {
    return { threw: true };
  }
}

describe('canonicalJson', () => {
  it('writes the same text as safe-stable-stringify for 5,000 random JSON-like values', () => {
    const next = random(14);
    for (let i = 0; i < 5_000; i++) {
      const v = value(next, 0);
      expect(canonicalJson(v), JSON.stringify({ case: i })).toBe(canonicalJsonReference(v));
    }
  });

  it('matches it, or throws as it does, on what it hands back to it', () => {
    const odd: unknown[] = [
      { when: new Date(0) },
      { n: Number.NaN },
      [Number.POSITIVE_INFINITY],
      { f: () => 1 },
      { toJSON: () => 'x' },
      { big: 1n },
      { s: Symbol('s') },
      Object.assign(Object.create({ inherited: 1 }), { own: 2 }),
      Object.assign(Object.create(null), { b: 1, a: 2 }),
      JSON.parse('{"__proto__": {"a": 1}, "b": 2}'),
      { 10: 'a', 9: 'b', 1: 'c', x: 'd' },
      new (class Point { x = 1; y = 2; })(),
      new Uint8Array([1, 2]),
      new Map([['a', 1]]),
      undefined,
      'top',
    ];
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    odd.push(cyclic);
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100; i++) deep = { [`k${i % 3}`]: [deep] };
    odd.push(deep);
    for (const v of odd) expect(outcome(canonicalJson, v)).toEqual(outcome(canonicalJsonReference, v));
  });

  it('gives back an audit row in the encoding its hash was always over', () => {
    const row = auditRow({
      request_id: 'r-1',
      violation_codes: ['TOS_SCAM'],
      violations: [{ code: 'TOS_SCAM', check: 'tos-scam', span: [8, 22], post: 0 }],
      response: { request_id: 'r-1', receipt_id: 'c-1', decision: 'FAIL', checks: ['b', 'a'], warnings: [{ message: 'x', code: 'Y', span: [1, 2] }] },
    });
    const link = { chain: 'prod', seq: 7, prev_hash: 'ab'.repeat(32) };
    const text = canonicalRow(row, link);
    expect(text).toBe(
      canonicalJsonReference({
        v: 1, chain: 'prod', seq: 7, prev_hash: link.prev_hash, request_id: row.request_id, receipt_id: row.receipt_id,
        created_at: row.created_at.toISOString(), stage: row.stage, mode: row.mode, pack_id: row.pack_id,
        policy_version: row.policy_version, policy_hash: row.policy_hash, decision: row.decision, allowed: row.allowed,
        violation_codes: row.violation_codes, violations: row.violations, content_sha256: row.content_sha256,
        content_size: row.content_size, content_kind: row.content_kind ?? null, content: row.content, workflow_id: row.workflow_id,
        agent: row.agent, platform: row.platform, caller: row.caller, caller_key_id: row.caller_key_id ?? null,
        latency_ms: row.latency_ms, response: row.response,
      }),
    );
    expect(text.startsWith('{"agent":"writer","allowed":true,"caller":"key:evaluator-1"')).toBe(true);
  });

  it('writes an object found in several places each time as safe-stable-stringify does (a finding in violations, warnings and the row)', () => {
    const next = random(23);
    for (let i = 0; i < 2_000; i++) {
      // Objects (sorted or not) shared by several places of one value, as the findings of an audit row are.
      const shared = Array.from({ length: 3 }, () => ({ z: value(next, 2), a: value(next, 2), m: [value(next, 3)] }));
      const pick = () => shared[Math.floor(next() * shared.length)]!;
      const v = { violations: [pick(), pick()], warnings: [pick(), { code: 'X' }, pick()], nested: { again: [pick(), [pick()]] }, own: value(next, 1) };
      expect(canonicalJson(v), JSON.stringify({ case: i })).toBe(canonicalJsonReference(v));
    }
  });

  it('writes a shared object met again near the depth limit as the reference does', () => {
    const shared = { b: { d: [1, { f: 2, e: 3 }] }, a: 1 };
    let deep: unknown = shared;
    for (let i = 0; i < 62; i++) deep = { k: deep };
    const v = { first: shared, second: deep };
    expect(canonicalJson(v)).toBe(canonicalJsonReference(v));
  });

  it('leaves the value it encodes as it was', () => {
    const v = { b: [{ d: 1, c: 2 }], a: 'x' };
    const before = JSON.stringify(v);
    canonicalJson(v);
    expect(JSON.stringify(v)).toBe(before);
  });
});
