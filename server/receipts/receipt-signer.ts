/**
 * Signing a receipt: a compact JWS made with node:crypto's Ed25519 directly,
 * the protected header encoded once per key. Verification stays with jose
 * (receipts.ts, and the client's offline verification).
 */
import { createPrivateKey, sign as cryptoSign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { ALG, TOKEN_TYPE } from '../../contract/receipt-format.js';
import type { SigningKeyRecord } from './signing-key-store.js';

export interface Signer {
  kid: string;
  header: string;
  privateKey: KeyObject;
}

export function signerFor(record: SigningKeyRecord): Signer {
  return {
    kid: record.kid,
    // The protected header is the same for every receipt of a key: encode it once.
    header: base64url(JSON.stringify({ alg: ALG, kid: record.kid, typ: TOKEN_TYPE })),
    privateKey: createPrivateKey({ key: record.private_jwk as JsonWebKey, format: 'jwk' }),
  };
}

/**
 * A compact JWS signed with node:crypto's Ed25519 directly: measured 29–33 µs against jose's
 * WebCrypto path at 46–56 µs per token on the evaluate path. Verification stays with jose.
 */
export function signCompact(signer: Signer, claims: Record<string, unknown>): string {
  const input = `${signer.header}.${base64url(JSON.stringify(claims))}`;
  return `${input}.${cryptoSign(null, Buffer.from(input), signer.privateKey).toString('base64url')}`;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
