/**
 * The receipt token format, in one pure module: the service signs with it and
 * verifies with it, and the client's offline verification checks with it, so
 * the two can never accept different tokens. No I/O; node:crypto only (the Merkle hashes).
 */
import type { JWTVerifyOptions } from 'jose';
import { decodeProof, leafHash, rootFromPath } from './receipt-merkle.js';

export const ISSUER = 'gatehouse';
export const ALG = 'EdDSA';
export const TOKEN_TYPE = 'gatehouse-receipt+jwt';

/** What `jwtVerify` must check of a receipt, at `currentDate`. */
export function receiptVerifyOptions(currentDate: Date): JWTVerifyOptions {
  return {
    issuer: ISSUER,
    algorithms: [ALG],
    typ: TOKEN_TYPE,
    currentDate,
    requiredClaims: ['jti', 'sub', 'iat', 'exp'],
  };
}

// ---- Batch-signed receipts (issue 14; docs/decisions/0012-batch-signed-receipts.md) --------------
//
//   <batch head: compact JWS, typ BATCH_TOKEN_TYPE, payload {iss, iat, size, root}>~<claims>~<proof>
//
// The head is one Ed25519 signature over the Merkle root (receipt-merkle.ts) of every receipt of
// a batch; <claims> is the base64url JSON of the same claims a single-JWS receipt carries, and its
// exact bytes are the leaf; <proof> is the leaf's index and audit path. A verifier checks the
// head's signature with the JWKS key its `kid` names, recomputes the root from the claims and the
// proof, and then checks the claims as jwtVerify would. Single-JWS receipts (three dot-separated
// parts, no `~`) stay verifiable as before.

/** `typ` of a batch head. */
export const BATCH_TOKEN_TYPE = 'gatehouse-receipt-batch+jwt';
export const BATCH_SEPARATOR = '~';

/** The signed payload of a batch head. */
export interface BatchHead {
  iss: string;
  iat: number;
  /** Leaves in the batch. */
  size: number;
  /** base64url of the 32-byte Merkle tree head. */
  root: string;
}

export interface BatchReceipt {
  /** The compact JWS over the batch head. */
  head: string;
  /** The exact bytes of the claims: the Merkle leaf. */
  claimsBytes: Buffer;
  index: number;
  path: Buffer[];
}

/** A batch receipt split into its parts; undefined for a single-JWS receipt; throws MalformedReceipt for neither. */
export function parseBatchReceipt(token: string): BatchReceipt | undefined {
  if (!token.includes(BATCH_SEPARATOR)) return undefined;
  const parts = token.split(BATCH_SEPARATOR);
  if (parts.length !== 3 || parts[0]!.split('.').length !== 3 || !/^[A-Za-z0-9_-]+$/.test(parts[1]!)) throw new MalformedReceipt();
  const proof = decodeProof(parts[2]!);
  if (!proof) throw new MalformedReceipt();
  return { head: parts[0]!, claimsBytes: Buffer.from(parts[1]!, 'base64url'), index: proof.index, path: proof.path };
}

export class MalformedReceipt extends Error {
  constructor() {
    super('not a gatehouse receipt');
  }
}

export type ClaimsCheck =
  | { ok: true; claims: Record<string, unknown> }
  | { ok: false; code: 'RECEIPT_INVALID'; reason: string }
  | { ok: false; code: 'RECEIPT_EXPIRED'; expiredAt: number };

/**
 * The claims of a batch receipt whose head's signature has verified: its leaf must lead to the
 * signed root, and the claims must pass what `receiptVerifyOptions` asks of a single JWS.
 */
export function checkBatchClaims(receipt: BatchReceipt, headPayload: Uint8Array, currentDate: Date): ClaimsCheck {
  const head = parseJson(headPayload) as Partial<BatchHead> | undefined;
  if (!head || head.iss !== ISSUER || typeof head.root !== 'string' || typeof head.size !== 'number') {
    return { ok: false, code: 'RECEIPT_INVALID', reason: 'ERR_BATCH_HEAD_INVALID' };
  }
  const root = rootFromPath(leafHash(receipt.claimsBytes), receipt.index, head.size, receipt.path);
  if (!root || root.toString('base64url') !== head.root) return { ok: false, code: 'RECEIPT_INVALID', reason: 'ERR_MERKLE_PROOF_INVALID' };
  const claims = parseJson(receipt.claimsBytes) as Record<string, unknown> | undefined;
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return { ok: false, code: 'RECEIPT_INVALID', reason: 'ERR_JWT_INVALID' };
  if (claims.iss !== ISSUER) return { ok: false, code: 'RECEIPT_INVALID', reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED' };
  for (const name of ['jti', 'sub'] as const) if (typeof claims[name] !== 'string') return { ok: false, code: 'RECEIPT_INVALID', reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED' };
  for (const name of ['iat', 'exp'] as const) if (typeof claims[name] !== 'number') return { ok: false, code: 'RECEIPT_INVALID', reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED' };
  // As jwtVerify: expired once `exp` is not after now (NumericDate seconds).
  if ((claims.exp as number) <= Math.floor(currentDate.getTime() / 1000)) return { ok: false, code: 'RECEIPT_EXPIRED', expiredAt: claims.exp as number };
  return { ok: true, claims };
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
}

// ---- Key status in the JWKS (issue 13, finding 6) ------------------------------------------------

/**
 * Members the service adds to each JWK, and the JWKS's list of revoked keys. A retired key
 * verifies only receipts issued up to `not_after` (its retirement plus the signer lease);
 * a revoked key verifies nothing.
 */
export interface KeyStatusMembers {
  status?: 'active' | 'retired';
  /** NumericDate: when the key was retired. */
  retired_at?: number;
  /** NumericDate: the latest `iat` a receipt of this retired key can carry. */
  not_after?: number;
}

export interface RevokedKey {
  kid: string;
  /** NumericDate. */
  revoked_at: number;
}

/** Why a key refuses a receipt issued at `iat`, or undefined when it may verify it. */
export function keyStatusRefusal(key: KeyStatusMembers, iat: number): string | undefined {
  if (key.status === 'retired' && typeof key.not_after === 'number' && iat > key.not_after) return 'The receipt was signed by a retired signing key.';
  return undefined;
}
