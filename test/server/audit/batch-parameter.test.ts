// The batch INSERT's parameter: the same rows and hashes as bytes (pg, jsonb's binary input) and
// as text (PGlite), each hash the one the verifier recomputes (rowHash), chained in batch order.
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, rowHash, type ChainLink } from '../../../server/audit/audit-chain.js';
import { batchParameter } from '../../../server/audit/batch-parameter.js';
import { at, auditRow } from '../../helpers/audit-rows.js';

const rows = [
  auditRow({ request_id: 'r-1', stage: 'prod', created_at: at(1) }),
  // Multi-byte text: the bytes hashed and sent must be UTF-8, not UTF-16 units.
  auditRow({ request_id: 'r-2', stage: 'dev', created_at: at(2), content: 'Ünïcödé “quoted” 😀 \\ "q"\n', response: { nested: { b: [1, 2.5, null], a: 'x' } } }),
  auditRow({ request_id: 'r-3', stage: 'prod', created_at: at(3) }),
];
const startHeads = () =>
  new Map<string, ChainLink>([
    ['prod', { chain: 'prod', seq: 7, prev_hash: 'a'.repeat(64) }],
    ['dev', { chain: 'dev', seq: 1, prev_hash: GENESIS_HASH }],
  ]);

describe('batchParameter', () => {
  it('sends as bytes (jsonb version 1, then UTF-8 JSON) exactly the text PGlite is given, and advances the same heads', () => {
    const textHeads = startHeads();
    const byteHeads = startHeads();
    const text = batchParameter(rows, textHeads, false);
    const bytes = batchParameter(rows, byteHeads, true);
    expect(bytes[0]).toBe(1);
    expect(bytes.subarray(1).toString('utf8')).toBe(text);
    expect([...byteHeads]).toEqual([...textHeads]);
  });

  it('an empty batch is an empty array either way', () => {
    expect(batchParameter([], startHeads(), false)).toBe('[]');
    expect([...batchParameter([], startHeads(), true)]).toEqual([1, ...Buffer.from('[]')]);
  });

  it('gives each row the hash the verifier recomputes, each linked to the row before it in its chain', () => {
    const heads = startHeads();
    const sent = JSON.parse(batchParameter(rows, heads, true).subarray(1).toString('utf8')) as { request_id: string; seq: number; prev_hash: string; row_hash: string }[];
    expect(sent.map((r) => [r.request_id, r.seq])).toEqual([['r-1', 7], ['r-2', 1], ['r-3', 8]]);
    let prod: ChainLink = startHeads().get('prod')!;
    const dev: ChainLink = startHeads().get('dev')!;
    expect(sent[0]!.row_hash).toBe(rowHash(rows[0]!, prod));
    expect(sent[1]!.row_hash).toBe(rowHash(rows[1]!, dev));
    prod = { chain: 'prod', seq: 8, prev_hash: sent[0]!.row_hash };
    expect(sent[2]!.prev_hash).toBe(sent[0]!.row_hash);
    expect(sent[2]!.row_hash).toBe(rowHash(rows[2]!, prod));
    expect(heads.get('prod')).toEqual({ chain: 'prod', seq: 9, prev_hash: sent[2]!.row_hash });
  });
});
