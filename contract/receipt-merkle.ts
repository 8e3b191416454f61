/**
 * Merkle trees for batch-signed receipts, hashed as RFC 6962 / RFC 9162 (Certificate
 * Transparency) hashes them: SHA-256, a 0x00 prefix on leaves and 0x01 on interior nodes
 * (so that no leaf can pass for a node), the left subtree holding the largest power of two
 * leaves below the size. The service builds a tree per batch and signs its root once; each
 * receipt carries its leaf index and audit path, from which the offline verifier and the
 * verify endpoint recompute the root. Pure: node:crypto only, shared by server and client.
 *
 * No npm package fits (docs/decisions/0012-batch-signed-receipts.md): the popular ones hash
 * without the leaf/node prefixes or sort pairs, and the client must stay jose-only.
 */
import { createHash } from 'node:crypto';

const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

export function leafHash(leaf: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF).update(leaf).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE).update(left).update(right).digest();
}

export interface MerkleTree {
  root: Buffer;
  /** Audit path of each leaf, the deepest sibling first (RFC 9162 §2.1.3.1). */
  paths: Buffer[][];
}

/** The tree over these leaf hashes (at least one): its root and every leaf's audit path. */
export function merkleTree(leaves: readonly Buffer[]): MerkleTree {
  if (leaves.length === 0) throw new RangeError('a Merkle tree needs at least one leaf');
  if (leaves.length === 1) return { root: leaves[0]!, paths: [[]] };
  const k = largestPowerOfTwoBelow(leaves.length);
  const left = merkleTree(leaves.slice(0, k));
  const right = merkleTree(leaves.slice(k));
  for (const path of left.paths) path.push(right.root);
  for (const path of right.paths) path.push(left.root);
  return { root: nodeHash(left.root, right.root), paths: [...left.paths, ...right.paths] };
}

/**
 * The root that leaf `index` of a tree of `size` leaves with this audit path implies, or
 * undefined when the path cannot belong to such a tree (RFC 9162 §2.1.3.2).
 */
export function rootFromPath(leaf: Buffer, index: number, size: number, path: readonly Uint8Array[]): Buffer | undefined {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** A leaf's place in its batch, as a receipt carries it: 4-byte big-endian index, then the path hashes. */
export function encodeProof(index: number, path: readonly Buffer[]): string {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(index);
  return Buffer.concat([head, ...path]).toString('base64url');
}

export function decodeProof(encoded: string): { index: number; path: Buffer[] } | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(encoded)) return undefined;
  const bytes = Buffer.from(encoded, 'base64url');
  // 32 hashes cover 2^32 leaves: anything longer is not a proof of ours.
  if (bytes.length < 4 || (bytes.length - 4) % 32 !== 0 || bytes.length > 4 + 32 * 32) return undefined;
  const path: Buffer[] = [];
  for (let at = 4; at < bytes.length; at += 32) path.push(bytes.subarray(at, at + 32));
  return { index: bytes.readUInt32BE(0), path };
}
