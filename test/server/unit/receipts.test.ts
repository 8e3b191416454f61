import { createHash } from 'node:crypto';
import { SignJWT, createLocalJWKSet, decodeProtectedHeader, generateKeyPair, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../server/errors.js';
import { contentSha256 } from '../../../contract/content-hash.js';
import { createReceiptService, type ReceiptFacts } from '../../../server/receipts/receipts.js';
import { fakeSigningKeyStore } from '../fakes.js';
import { receiptFactsFor } from '../receipt-facts.js';
import { createJwksVerifier } from '../../../client/index.js';

const content = ['1/2 launch day', '2/2 read more'];
const facts = (over: Partial<ReceiptFacts> = {}): ReceiptFacts => receiptFactsFor(content, over);

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).code;
  }
  return 'NO_ERROR';
}

describe('receipts', () => {
  it('creates one signing key at first start and reuses it afterwards', async () => {
    const store = fakeSigningKeyStore();
    await createReceiptService({ store, ttlSeconds: 60 });
    await createReceiptService({ store, ttlSeconds: 60 });
    expect(store.records).toHaveLength(1);
    expect(store.records[0]!.alg).toBe('EdDSA');
    expect(store.records[0]!.public_jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    expect(store.records[0]!.public_jwk).not.toHaveProperty('d');
  });

  it('signs claims that verify, offline too, against the JWKS (single-JWS format)', async () => {
    const service = await createReceiptService({ store: fakeSigningKeyStore(), ttlSeconds: 3600, signing: 'jws' });
    const token = await service.sign(facts());
    const verified = await service.verify(token, content);
    expect(verified.valid).toBe(true);
    expect(verified.allowed_to_post).toBe(true);
    expect(verified.claims).toMatchObject({
      iss: 'gatehouse', jti: facts().receipt_id, sub: facts().request_id, stage: 'prod', mode: 'enforced', pack: 'qa',
      policy_version: '1.0.0', policy_hash: 'sha256:abc', decision: 'PASS', allowed: true, content_sha256: contentSha256(content),
    });
    expect(verified.claims.exp - verified.claims.iat).toBe(3600);

    const jwks = await service.jwks();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect(jwks.keys[0]!.kid).toBe(decodeProtectedHeader(token).kid);
    const offline = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: 'gatehouse' });
    expect(offline.payload.decision).toBe('PASS');
  });

  it('batch-signs by default: receipts made together share one signature, each with its own proof, and verify on their own', async () => {
    const service = await createReceiptService({ store: fakeSigningKeyStore(), ttlSeconds: 3600 });
    const contents = Array.from({ length: 7 }, (_, i) => `post number ${i}`);
    const tokens = await Promise.all(contents.map((c, i) => service.sign(receiptFactsFor(c, { receipt_id: `r-${i}`, request_id: `q-${i}` }))));
    const heads = new Set(tokens.map((t) => t.split('~')[0]));
    expect(heads.size).toBe(1);
    expect(new Set(tokens.map((t) => t.split('~')[2])).size).toBe(7);
    const offline = createJwksVerifier({ jwks: await service.jwks() });
    for (const [i, token] of tokens.entries()) {
      expect((await service.verify(token, contents[i]!)).claims).toMatchObject({ jti: `r-${i}`, sub: `q-${i}`, platform: 'x' });
      expect((await offline.verify(token, contents[i]!)).claims).toMatchObject({ jti: `r-${i}`, sub: `q-${i}` });
    }
    // Another receipt's claims under this receipt's proof: the root differs.
    const [head, , proof] = tokens[0]!.split('~');
    const swapped = `${head}~${tokens[1]!.split('~')[1]}~${proof}`;
    expect(await codeOf(service.verify(swapped, contents[1]!))).toBe('RECEIPT_INVALID');
    // Receipts signed in separate event-loop turns are separate batches.
    const later = await service.sign(facts());
    expect(later.split('~')[0]).not.toBe(tokens[0]!.split('~')[0]);
  });

  it('keeps verifying single-JWS receipts signed before batch signing, online and offline', async () => {
    const store = fakeSigningKeyStore();
    const before = await (await createReceiptService({ store, ttlSeconds: 3600, signing: 'jws' })).sign(facts());
    expect(before.split('.')).toHaveLength(3);
    const upgraded = await createReceiptService({ store, ttlSeconds: 3600 });
    expect((await upgraded.sign(facts())).split('~')).toHaveLength(3);
    expect((await upgraded.verify(before, content)).claims).toMatchObject({ jti: facts().receipt_id, decision: 'PASS' });
    expect((await createJwksVerifier({ jwks: await upgraded.jwks() }).verify(before, content)).valid).toBe(true);
  });

  it.each([
    ['PASS', 'enforced', true],
    ['FAIL', 'enforced', false],
    ['FAIL', 'advisory', true],
    ['SKIPPED', 'off', true],
    ['PASS', 'advisory', true],
  ] as const)('%s under %s → allowed_to_post %s', async (decision, mode, allowed) => {
    const service = await createReceiptService({ store: fakeSigningKeyStore(), ttlSeconds: 60 });
    const token = await service.sign(facts({ decision, mode, allowed: !(decision === 'FAIL' && mode === 'enforced') }));
    expect((await service.verify(token, content)).allowed_to_post).toBe(allowed);
  });

  it('refuses a missing receipt', async () => {
    const service = await createReceiptService({ store: fakeSigningKeyStore(), ttlSeconds: 60 });
    expect(await codeOf(service.verify(undefined, content))).toBe('ENFORCEMENT_RECEIPT_REQUIRED');
    expect(await codeOf(service.verify('  ', content))).toBe('ENFORCEMENT_RECEIPT_REQUIRED');
  });

  it('refuses a tampered claim, a forged signature, an unknown key and garbage (single-JWS format)', async () => {
    const store = fakeSigningKeyStore();
    const service = await createReceiptService({ store, ttlSeconds: 60, signing: 'jws' });
    const token = await service.sign(facts({ decision: 'FAIL', allowed: false }));
    const [header, payload, signature] = token.split('.') as [string, string, string];

    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const tampered = Buffer.from(JSON.stringify({ ...claims, decision: 'PASS', allowed: true })).toString('base64url');
    expect(await codeOf(service.verify(`${header}.${tampered}.${signature}`, content))).toBe('RECEIPT_INVALID');

    // Signed by another Ed25519 key but claiming our kid.
    const intruder = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: store.records[0]!.kid, typ: 'gatehouse-receipt+jwt' })
      .sign(intruder.privateKey);
    expect(await codeOf(service.verify(forged, content))).toBe('RECEIPT_INVALID');

    const unknownKid = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: 'not-a-key-we-know', typ: 'gatehouse-receipt+jwt' })
      .sign(intruder.privateKey);
    expect(await codeOf(service.verify(unknownKid, content))).toBe('RECEIPT_INVALID');

    expect(await codeOf(service.verify('not.a.jwt', content))).toBe('RECEIPT_INVALID');
    expect(await codeOf(service.verify('garbage', content))).toBe('RECEIPT_INVALID');
    // alg none is never accepted
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: store.records[0]!.kid })).toString('base64url')}.${payload}.`;
    expect(await codeOf(service.verify(none, content))).toBe('RECEIPT_INVALID');
  });

  it('refuses a receipt for other content, including the same text as another kind', async () => {
    const service = await createReceiptService({ store: fakeSigningKeyStore(), ttlSeconds: 60 });
    const token = await service.sign(facts());
    expect(await codeOf(service.verify(token, ['1/2 launch day', '2/2 read more!']))).toBe('RECEIPT_CONTENT_MISMATCH');
    // A string spelling the thread's JSON hashes the same but is other content.
    expect(await codeOf(service.verify(token, JSON.stringify(content)))).toBe('RECEIPT_CONTENT_MISMATCH');
  });

  it.each(['batch', 'jws'] as const)('refuses an expired receipt, but a forged expired one as invalid (%s)', async (signing) => {
    let now = new Date('2026-01-01T00:00:00Z');
    const service = await createReceiptService({ store: fakeSigningKeyStore(), ttlSeconds: 60, now: () => now, signing });
    const token = await service.sign(facts());
    now = new Date('2026-01-01T00:00:59Z');
    expect((await service.verify(token, content)).valid).toBe(true);
    now = new Date('2026-01-01T00:01:01Z');
    expect(await codeOf(service.verify(token, content))).toBe('RECEIPT_EXPIRED');
    const [h, p] = token.split('.');
    expect(await codeOf(service.verify(`${h}.${p}.${'A'.repeat(86)}`, content))).toBe('RECEIPT_INVALID');
  });

  it('keeps a retired key in the JWKS until its receipts have expired, and verifies with it', async () => {
    const store = fakeSigningKeyStore();
    let now = new Date('2026-01-01T00:00:00Z');
    const first = await createReceiptService({ store, ttlSeconds: 60, now: () => now });
    const old = await first.sign(facts());
    await store.retire(store.records[0]!.kid, now);
    const second = await createReceiptService({ store, ttlSeconds: 60, now: () => now });
    expect(store.records).toHaveLength(2);
    expect((await second.jwks()).keys).toHaveLength(2);
    expect((await second.verify(old, content)).valid).toBe(true);
    const fresh = await second.sign(facts());
    expect(decodeProtectedHeader(fresh).kid).toBe(store.records[1]!.kid);
    now = new Date('2026-01-01T00:02:00Z');
    expect((await second.jwks()).keys.map((k) => k.kid)).toEqual([store.records[1]!.kid]);
  });

  it('hashes a string as itself and a thread as its JSON', () => {
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(contentSha256('hello')).toBe(sha('hello'));
    expect(contentSha256(['a', 'b'])).toBe(sha('["a","b"]'));
  });
});
