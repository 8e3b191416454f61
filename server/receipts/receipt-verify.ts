/**
 * Checking one receipt token, either format (contract/receipt-format.ts): the signature with
 * jose against the key its header names, the Merkle proof of a batch receipt, the claims, and
 * the status of the key. The client's offline verification makes the same checks and gives the
 * same answers (client/offline-verify.ts).
 */
import { compactVerify, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import {
  ALG, BATCH_TOKEN_TYPE, MalformedReceipt, checkBatchClaims, keyStatusRefusal, parseBatchReceipt, receiptVerifyOptions,
} from '../../contract/receipt-format.js';
import { AppError } from '../errors.js';
import { isPublished } from './key-rotation.js';
import { keyStatus, numericDate, type LoadedKey } from './key-ring.js';
import type { ReceiptClaims } from './receipts.js';
import type { SigningKeyRecord } from './signing-key-store.js';

export async function verifyToken(
  token: string,
  keyFor: (kid: string | undefined) => Promise<LoadedKey>,
  now: () => Date,
): Promise<{ claims: ReceiptClaims; key: LoadedKey }> {
  let batch: ReturnType<typeof parseBatchReceipt>;
  let kid: string | undefined;
  try {
    batch = parseBatchReceipt(token);
    kid = decodeProtectedHeader(batch ? batch.head : token).kid;
  } catch {
    throw new AppError('RECEIPT_INVALID', 'The receipt is not a signed token.');
  }
  const key = await keyFor(kid);
  try {
    if (!batch) {
      const { payload } = await jwtVerify(token, key.publicKey, receiptVerifyOptions(now()));
      return { claims: payload as JWTPayload & ReceiptClaims, key };
    }
    const { payload, protectedHeader } = await compactVerify(batch.head, key.publicKey, { algorithms: [ALG] });
    if (protectedHeader.typ !== BATCH_TOKEN_TYPE) throw new errors.JWTClaimValidationFailed('unexpected "typ" JWT header value', {}, 'typ', 'check_failed');
    const checked = checkBatchClaims(batch, payload, now());
    if (checked.ok) return { claims: checked.claims as unknown as ReceiptClaims, key };
    if (checked.code === 'RECEIPT_EXPIRED') {
      throw new AppError('RECEIPT_EXPIRED', 'The receipt has expired.', { details: { expired_at: new Date(checked.expiredAt * 1000).toISOString() } });
    }
    throw new AppError('RECEIPT_INVALID', 'The receipt signature or claims are not valid.', { details: { reason: checked.reason } });
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      throw new AppError('RECEIPT_EXPIRED', 'The receipt has expired.', {
        details: { expired_at: new Date(Number(error.payload.exp) * 1000).toISOString() },
      });
    }
    if (error instanceof errors.JOSEError) {
      throw new AppError('RECEIPT_INVALID', 'The receipt signature or claims are not valid.', { details: { reason: error.code } });
    }
    if (error instanceof MalformedReceipt) throw new AppError('RECEIPT_INVALID', 'The receipt is not a signed token.');
    throw error;
  }
}

/**
 * A retired key verifies only what it can have signed: receipts issued before its
 * retirement (plus the signer lease), and only while it is still published. A revoked key
 * verifies nothing, e.g. a receipt forged with a leaked key after `keys rotate --revoke`.
 */
export function refuseByKeyStatus(record: SigningKeyRecord, claims: ReceiptClaims, ttlSeconds: number, now: Date): void {
  if (record.revoked_at) {
    throw new AppError('RECEIPT_INVALID', 'The receipt was signed by a revoked signing key.', {
      details: { kid: record.kid, revoked_at: wholeSeconds(record.revoked_at) },
    });
  }
  if (!record.retired_at) return;
  if (keyStatusRefusal(keyStatus(record), claims.iat) || !isPublished(record, ttlSeconds, now)) {
    throw new AppError('RECEIPT_INVALID', 'The receipt was signed by a retired signing key.', {
      details: { kid: record.kid, retired_at: wholeSeconds(record.retired_at) },
    });
  }
}

/** As the JWKS says it (NumericDate), so that offline verification gives the same details. */
function wholeSeconds(date: Date): string {
  return new Date(numericDate(date) * 1000).toISOString();
}
