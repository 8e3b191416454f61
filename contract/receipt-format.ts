/**
 * The receipt token format, in one pure module: the service signs with it and
 * verifies with it, and the client's offline verification checks with it, so
 * the two can never accept different tokens. No I/O, no runtime imports.
 */
import type { JWTVerifyOptions } from 'jose';

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
