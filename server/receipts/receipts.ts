/**
 * Receipts: Ed25519 (EdDSA) signed tokens that say "this content, on this stage
 * and platform, under this policy version and mode, got this decision, and its
 * audit row is durable". Signed in batches by default: one signature over the
 * Merkle root of the receipts made in one event-loop turn, each receipt carrying
 * its inclusion proof (docs/decisions/0012-batch-signed-receipts.md); single-JWS
 * receipts (the other format) verify as before.
 *
 * Content hash and kind (claims `content_sha256`, `content_kind`): see
 * content-hash.ts, shared with the client's offline verification.
 */
import { AppError } from '../errors.js';
import { canonicalContent, contentSha256, type ContentKind } from '../../contract/content-hash.js';
import { allowedToPost, bindingMismatch, type ReceiptExpectation } from '../../contract/posting-rule.js';
import { ISSUER } from '../../contract/receipt-format.js';
import type { DecisionStatus } from '../../contract/decision-status.js';
import type { Mode } from '../../contract/modes.js';
import { createKeyRing, type Jwks, type KeyRingOptions } from './key-ring.js';
import { signBatch, signCompact } from './receipt-signer.js';
import { refuseByKeyStatus, verifyToken } from './receipt-verify.js';

export type { Jwks } from './key-ring.js';

export interface ReceiptFacts {
  receipt_id: string;
  request_id: string;
  stage: string;
  /** The platform whose rules applied: the request's, else the pack default (null: unknown, matches no expected platform). */
  platform: string | null;
  mode: Mode;
  pack: string;
  policy_version: string;
  policy_hash: string;
  decision: DecisionStatus;
  allowed: boolean;
  content_sha256: string;
  content_kind: ContentKind;
  /**
   * Override receipts only (issue 7): a person allowed this enforced FAIL. The decision,
   * mode and `allowed` stay those of the blocked decision; `override: true` is what lets it post.
   */
  override?: true;
  override_id?: string;
  actor?: string;
  reason?: string;
  /** receipt_id (jti) of the blocked decision's own receipt. */
  overridden_receipt_id?: string | null;
}

export interface ReceiptClaims extends Omit<ReceiptFacts, 'receipt_id' | 'request_id' | 'platform'> {
  /** Absent on receipts signed before receipts carried a platform. */
  platform?: string | null;
  iss: string;
  jti: string;
  sub: string;
  iat: number;
  exp: number;
}

export interface Verified {
  valid: true;
  /** DESIGN: a posting service accepts a PASS, or any decision under off/advisory; it refuses an enforced FAIL. */
  allowed_to_post: boolean;
  /** True for an override receipt. */
  override: boolean;
  claims: ReceiptClaims;
}

export interface ReceiptService {
  sign(facts: ReceiptFacts): Promise<string>;
  /** With `expected`, a receipt for another stage or platform is refused (RECEIPT_STAGE_MISMATCH / RECEIPT_PLATFORM_MISMATCH). */
  verify(receipt: string | undefined, content: string | string[], expected?: ReceiptExpectation): Promise<Verified>;
  /** Public keys of every key that may still have unexpired receipts, with their status, and the revoked keys. */
  jwks(): Promise<Jwks>;
}

/** `batch`: one signature per batch over a Merkle root (the default); `jws`: one compact JWS per receipt. */
export type ReceiptSigning = 'batch' | 'jws';

export interface ReceiptServiceOptions extends KeyRingOptions {
  /** @defaultValue 'batch' */
  signing?: ReceiptSigning;
  /**
   * How long a batch waits for more receipts. 0 (the default): until the end of the current
   * event-loop turn (setImmediate), which gathers every receipt whose audit rows one group
   * commit made durable, at no added wait.
   */
  batchWindowMs?: number;
  /** Receipts per Merkle tree at most (a larger batch is signed as several trees). @defaultValue 1024 */
  maxBatch?: number;
}

interface Pending {
  claims: Record<string, unknown>;
  resolve: (token: string) => void;
  reject: (error: unknown) => void;
}

/** Loads the signing keys, creating the first one when the store is empty. */
export async function createReceiptService(options: ReceiptServiceOptions): Promise<ReceiptService> {
  const { ttlSeconds } = options;
  const now = options.now ?? (() => new Date());
  const signing = options.signing ?? 'batch';
  const maxBatch = options.maxBatch ?? 1024;
  const ring = await createKeyRing(options);

  // ---- Batches: one signature for every receipt asked for in one event-loop turn ----
  let queue: Pending[] = [];
  let scheduled = false;

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    const window = options.batchWindowMs ?? 0;
    if (window > 0) setTimeout(flush, window);
    else setImmediate(flush);
  }

  function flush(): void {
    scheduled = false;
    const batch = queue;
    queue = [];
    ring.currentSigner().then(
      (signer) => {
        const iat = Math.floor(now().getTime() / 1000);
        for (let from = 0; from < batch.length; from += maxBatch) {
          const part = batch.slice(from, from + maxBatch);
          try {
            const tokens = signBatch(signer, part.map((p) => ({ ...p.claims, iat, exp: iat + ttlSeconds })), iat);
            part.forEach((p, i) => p.resolve(tokens[i]!));
          } catch (error) {
            for (const p of part) p.reject(error);
          }
        }
      },
      (error: unknown) => {
        for (const p of batch) p.reject(error);
      },
    );
  }

  function claimsOf(facts: ReceiptFacts): Record<string, unknown> {
    const { receipt_id, request_id, ...rest } = facts;
    return { ...rest, iss: ISSUER, jti: receipt_id, sub: request_id };
  }

  return {
    sign(facts) {
      if (signing === 'jws') {
        return ring.currentSigner().then((signer) => {
          const iat = Math.floor(now().getTime() / 1000);
          return signCompact(signer, { ...claimsOf(facts), iat, exp: iat + ttlSeconds });
        });
      }
      return new Promise<string>((resolve, reject) => {
        queue.push({ claims: claimsOf(facts), resolve, reject });
        schedule();
      });
    },

    async verify(receipt, content, binding) {
      if (receipt === undefined || receipt.trim() === '') {
        throw new AppError('ENFORCEMENT_RECEIPT_REQUIRED', 'A receipt is required to post this content.');
      }
      // Re-reads the key store when due, so that a retirement or revocation made elsewhere applies here too.
      await ring.refreshIfDue();
      const { claims, key } = await verifyToken(receipt, ring.keyFor, now);
      refuseByKeyStatus(key.record, claims, ttlSeconds, now());
      const expected = canonicalContent(content);
      if (claims.content_sha256 !== contentSha256(content) || claims.content_kind !== expected.kind) {
        throw new AppError('RECEIPT_CONTENT_MISMATCH', 'The receipt was issued for other content.', {
          details: { receipt_id: claims.jti },
        });
      }
      const mismatch = bindingMismatch(claims, binding);
      if (mismatch) throw new AppError(mismatch.code, mismatch.message, { details: { ...mismatch.details, receipt_id: claims.jti } });
      return { valid: true, allowed_to_post: allowedToPost(claims), override: claims.override === true, claims };
    },

    jwks: () => ring.jwks(),
  };
}
