// RFC 6962 / 9162 Merkle trees of batch-signed receipts: every leaf of every tree size proves
// its inclusion, and nothing else does.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeProof, encodeProof, leafHash, merkleTree, nodeHash, rootFromPath } from '../../contract/receipt-merkle.js';

const sha = (...parts: Uint8Array[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();

/** MTH(D[n]) exactly as RFC 6962 §2.1 writes it, as the reference. */
function referenceRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha(Buffer.from([1]), referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`{"jti":"receipt-${i}"}`)));

describe('receipt Merkle trees (RFC 6962 hashing)', () => {
  it('prefixes leaves with 0x00 and nodes with 0x01', () => {
    const leaf = Buffer.from('claims');
    expect(leafHash(leaf)).toEqual(sha(Buffer.from([0]), leaf));
    expect(nodeHash(leafHash(leaf), leafHash(leaf))).toEqual(sha(Buffer.from([1]), leafHash(leaf), leafHash(leaf)));
  });

  it('every leaf of every tree size from 1 to 70 proves its inclusion in the reference root', () => {
    for (let n = 1; n <= 70; n++) {
      const leaves = leavesOf(n);
      const tree = merkleTree(leaves);
      expect(tree.root).toEqual(referenceRoot(leaves));
      for (let i = 0; i < n; i++) {
        expect(rootFromPath(leaves[i]!, i, n, tree.paths[i]!), `leaf ${i} of ${n}`).toEqual(tree.root);
        const decoded = decodeProof(encodeProof(i, tree.paths[i]!))!;
        expect(decoded.index).toBe(i);
        expect(decoded.path).toEqual(tree.paths[i]);
      }
    }
  });

  it('refuses another leaf, another index, another size, a flipped bit and a padded path', () => {
    const leaves = leavesOf(13);
    const tree = merkleTree(leaves);
    const ok = (leaf: Buffer, index: number, size: number, path: Buffer[]) => rootFromPath(leaf, index, size, path)?.equals(tree.root) ?? false;
    expect(ok(leaves[5]!, 5, 13, tree.paths[5]!)).toBe(true);
    expect(ok(leaves[6]!, 5, 13, tree.paths[5]!)).toBe(false);
    expect(ok(leaves[5]!, 4, 13, tree.paths[5]!)).toBe(false);
    // The size only shapes the path (it is signed in the batch head): sizes of another shape do not fit.
    expect(ok(leaves[5]!, 5, 8, tree.paths[5]!)).toBe(false);
    expect(ok(leaves[5]!, 5, 17, tree.paths[5]!)).toBe(false);
    const flipped = tree.paths[5]!.map((h) => Buffer.from(h));
    flipped[1]![0]! ^= 1;
    expect(ok(leaves[5]!, 5, 13, flipped)).toBe(false);
    expect(ok(leaves[5]!, 5, 13, [...tree.paths[5]!, tree.root])).toBe(false);
    expect(ok(leaves[5]!, 5, 13, tree.paths[5]!.slice(1))).toBe(false);
    // An interior node's children passed off as one leaf's bytes (second preimage): with the 0x00/0x01
    // prefixes its leaf hash is not the node, so the shortened path does not reach the root.
    expect(ok(nodeHash(leaves[4]!, leaves[5]!), 2, 7, tree.paths[5]!.slice(1).slice(0, 2))).toBe(false);
    expect(ok(leafHash(Buffer.concat([leaves[4]!, leaves[5]!])), 2, 7, tree.paths[5]!.slice(1))).toBe(false);
    expect(rootFromPath(leaves[0]!, 13, 13, [])).toBeUndefined();
    expect(rootFromPath(leaves[0]!, -1, 13, [])).toBeUndefined();
  });

  it('decodes only proofs of whole hashes', () => {
    expect(decodeProof('')).toBeUndefined();
    expect(decodeProof('AAAA')).toBeUndefined(); // 3 bytes
    expect(decodeProof(Buffer.alloc(4 + 31).toString('base64url'))).toBeUndefined();
    expect(decodeProof(Buffer.alloc(4 + 33 * 32).toString('base64url'))).toBeUndefined();
    expect(decodeProof('AAAAAA==')).toBeUndefined(); // not base64url
    expect(decodeProof(Buffer.alloc(4).toString('base64url'))).toEqual({ index: 0, path: [] });
  });
});
