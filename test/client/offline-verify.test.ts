// Offline verification answers exactly as POST /v1/receipts/verify does, on the same receipts.
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GatehouseError, createJwksVerifier, verifyReceiptOffline, type VerifiedReceipt,
} from '../../client/index.js';
import { useDatabase } from '../helpers/databases.js';
import { CONTENT } from '../server/api/harness.js';
import { listen, startGatehouse, type LiveGatehouse } from './live.js';

const database = useDatabase('pglite');
let live: LiveGatehouse;

beforeAll(async () => {
  live = await startGatehouse(database().db);
});
afterAll(() => live?.close());

type Outcome = { ok: VerifiedReceipt } | { status: number; error: ReturnType<GatehouseError['toJSON']>['error'] };

async function outcome(verification: Promise<VerifiedReceipt>): Promise<Outcome> {
  try {
    return { ok: await verification };
  } catch (error) {
    if (!(error instanceof GatehouseError)) throw error;
    return { status: error.status, error: error.toJSON().error };
  }
}

const TOKEN_HEADER = { alg: 'EdDSA', typ: 'gatehouse-receipt+jwt' } as const;

async function receiptFor(content: string | string[], mode: 'off' | 'advisory' | 'enforced') {
  return (await live.client.evaluate({ content, stage: `t-${mode}` })).receipt!;
}

const OVERRIDE = { actor: 'ada', reason: 'Quoted in a news report; legal approved.' };

/** A real override receipt: an admin allows an enforced FAIL of this content (POST /v1/overrides). */
async function overrideReceipt(content: string): Promise<string> {
  const blocked = await live.client.evaluate({ content, stage: 't-enforced' });
  return (await live.admin.createOverride({ request_id: blocked.request_id, ...OVERRIDE })).receipt;
}

function tamper(receipt: string, change: Record<string, unknown>): string {
  const [header, payload, signature] = receipt.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
  return [header, Buffer.from(JSON.stringify({ ...claims, ...change })).toString('base64url'), signature].join('.');
}

describe('offline verification = the verify endpoint', () => {
  const cases: [string, () => Promise<[string | undefined, string | string[]]>, string | boolean][] = [
    ['enforced PASS', async () => [await receiptFor(CONTENT.pass, 'enforced'), CONTENT.pass], true],
    ['enforced FAIL', async () => [await receiptFor(CONTENT.profane, 'enforced'), CONTENT.profane], false],
    ['advisory FAIL', async () => [await receiptFor(CONTENT.profane, 'advisory'), CONTENT.profane], true],
    ['off SKIPPED', async () => [await receiptFor(CONTENT.threat, 'off'), CONTENT.threat], true],
    ['an override receipt for an enforced FAIL', async () => [await overrideReceipt(CONTENT.profane), CONTENT.profane], true],
    ['no receipt', async () => [undefined, CONTENT.pass], 'ENFORCEMENT_RECEIPT_REQUIRED'],
    ['an empty receipt', async () => ['  ', CONTENT.pass], 'ENFORCEMENT_RECEIPT_REQUIRED'],
    ['other content', async () => [await receiptFor(CONTENT.pass, 'enforced'), 'Another post.'], 'RECEIPT_CONTENT_MISMATCH'],
    ['a thread receipt for the same text as a string', async () => [await receiptFor(['one post'], 'enforced'), '["one post"]'], 'RECEIPT_CONTENT_MISMATCH'],
    ['a tampered receipt (FAIL → PASS)', async () => [tamper(await receiptFor(CONTENT.profane, 'enforced'), { decision: 'PASS' }), CONTENT.profane], 'RECEIPT_INVALID'],
    ['not a token', async () => ['not-a-token', CONTENT.pass], 'RECEIPT_INVALID'],
    ['an expired receipt', async () => {
      live.clock.shiftMs = -2 * 86_400_000;
      try {
        return [await receiptFor(CONTENT.pass, 'enforced'), CONTENT.pass];
      } finally {
        live.clock.shiftMs = 0;
      }
    }, 'RECEIPT_EXPIRED'],
    ['an unknown kid', async () => {
      const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const receipt = await new SignJWT({ decision: 'PASS', mode: 'enforced' })
        .setProtectedHeader({ ...TOKEN_HEADER, kid: 'not-a-published-kid' })
        .setIssuer('gatehouse').setJti(randomUUID()).setSubject(randomUUID()).setIssuedAt().setExpirationTime('1h')
        .sign(privateKey);
      return [receipt, CONTENT.pass];
    }, 'RECEIPT_INVALID'],
    ['no kid (signed by the service key)', async () => {
      const [record] = await live.gh.stores.signingKeys.all();
      const receipt = await new SignJWT({ decision: 'PASS', mode: 'enforced' })
        .setProtectedHeader(TOKEN_HEADER)
        .setIssuer('gatehouse').setJti(randomUUID()).setSubject(randomUUID()).setIssuedAt().setExpirationTime('1h')
        .sign(await importJWK(record!.private_jwk as JWK, 'EdDSA'));
      return [receipt, CONTENT.pass];
    }, 'RECEIPT_INVALID'],
    ['an HMAC receipt naming the service kid', async () => {
      const [record] = await live.gh.stores.signingKeys.all();
      const receipt = await new SignJWT({ decision: 'PASS', mode: 'enforced' })
        .setProtectedHeader({ alg: 'HS256', typ: TOKEN_HEADER.typ, kid: record!.kid })
        .setIssuer('gatehouse').setJti(randomUUID()).setSubject(randomUUID()).setIssuedAt().setExpirationTime('1h')
        .sign(new TextEncoder().encode('k'.repeat(32)));
      return [receipt, CONTENT.pass];
    }, 'RECEIPT_INVALID'],
    ['another issuer', async () => [await signedByServiceAs({ iss: 'someone-else' }), CONTENT.pass], 'RECEIPT_INVALID'],
  ];

  /** The service key, and a JWT with these claim overrides (iss included). */
  async function signedByServiceAs(claims: Record<string, unknown>): Promise<string> {
    const [record] = await live.gh.stores.signingKeys.all();
    return new SignJWT({ decision: 'PASS', mode: 'enforced', ...claims })
      .setProtectedHeader({ ...TOKEN_HEADER, kid: record!.kid })
      .setJti(randomUUID()).setSubject(randomUUID()).setIssuedAt().setExpirationTime('1h')
      .sign(await importJWK(record!.private_jwk as JWK, 'EdDSA'));
  }

  it.each(cases)('%s', async (_name, make, expected) => {
    const [receipt, content] = await make();
    const online = await outcome(live.client.verifyReceipt(receipt, content));
    const remote = await outcome(verifyReceiptOffline(receipt, content, live.client.jwksUrl));
    const injected = await outcome(verifyReceiptOffline(receipt, content, await live.client.jwks()));

    if (typeof expected === 'boolean') expect(online).toMatchObject({ ok: { valid: true, allowed_to_post: expected } });
    else expect(online).toMatchObject({ error: { code: expected } });
    expect(remote).toEqual(online);
    expect(injected).toEqual(online);
  });
});

describe('offline verification = the verify endpoint, for an expected stage and platform', () => {
  const cases: [string, () => Promise<[string, string | string[]]>, { stage?: string | string[]; platform?: string | string[] }, string | boolean][] = [
    ['its own stage and platform', async () => [await receiptFor(CONTENT.pass, 'enforced'), CONTENT.pass], { stage: 't-enforced', platform: 'x' }, true],
    ['one of several stages', async () => [await receiptFor(CONTENT.profane, 'advisory'), CONTENT.profane], { stage: ['t-enforced', 't-advisory'] }, true],
    ['an advisory receipt for an enforced stage', async () => [await receiptFor(CONTENT.profane, 'advisory'), CONTENT.profane], { stage: 't-enforced', platform: 'x' }, 'RECEIPT_STAGE_MISMATCH'],
    ['an off receipt for an enforced stage', async () => [await receiptFor(CONTENT.threat, 'off'), CONTENT.threat], { stage: 't-enforced' }, 'RECEIPT_STAGE_MISMATCH'],
    ['a threads receipt for x', async () => [(await live.client.evaluate({ content: CONTENT.pass, stage: 't-enforced', platform: 'threads' })).receipt!, CONTENT.pass], { stage: 't-enforced', platform: 'x' }, 'RECEIPT_PLATFORM_MISMATCH'],
    ['the content is checked before the stage', async () => [await receiptFor(CONTENT.pass, 'advisory'), 'Another post.'], { stage: 't-enforced' }, 'RECEIPT_CONTENT_MISMATCH'],
  ];

  it.each(cases)('%s', async (_name, make, expected, result) => {
    const [receipt, content] = await make();
    const online = await outcome(live.client.verifyReceipt(receipt, content, expected));
    const remote = await outcome(verifyReceiptOffline(receipt, content, live.client.jwksUrl, expected));
    const injected = await outcome(verifyReceiptOffline(receipt, content, await live.client.jwks(), expected));
    if (typeof result === 'boolean') expect(online).toMatchObject({ ok: { valid: true, allowed_to_post: result } });
    else expect(online).toMatchObject({ status: 422, error: { code: result } });
    expect(remote).toEqual(online);
    expect(injected).toEqual(online);
  });
});

describe('override receipts (claim override: true)', () => {
  it('let an enforced FAIL post, and say so, offline as online', async () => {
    const receipt = await overrideReceipt(CONTENT.profane);
    const offline = await verifyReceiptOffline(receipt, CONTENT.profane, live.client.jwksUrl);
    expect(offline).toMatchObject({ valid: true, allowed_to_post: true, override: true, claims: { decision: 'FAIL', mode: 'enforced', override: true, ...OVERRIDE } });
    expect(await live.client.verifyReceipt(receipt, CONTENT.profane)).toEqual(offline);
  });
});

describe('the JWKS cache', () => {
  it('fetches the keys once, and again for an unknown kid (a rotated-in key)', async () => {
    const keyA = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const keyB = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const publicJwk = async (key: typeof keyA, kid: string) => ({ ...(await exportJWK(key.publicKey)), kid, alg: 'EdDSA', use: 'sig' });
    const published = { keys: [await publicJwk(keyA, 'a')] };
    let fetches = 0;
    const server = await listen((_req, res) => {
      fetches++;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(published));
    });
    try {
      const sign = (key: typeof keyA, kid: string) =>
        new SignJWT({ decision: 'PASS', mode: 'enforced', content_sha256: 'x', content_kind: 'text' })
          .setProtectedHeader({ ...TOKEN_HEADER, kid })
          .setIssuer('gatehouse').setJti(randomUUID()).setSubject(randomUUID()).setIssuedAt().setExpirationTime('1h')
          .sign(key.privateKey);
      const verifier = createJwksVerifier({ jwksUrl: `${server.url}/jwks.json`, cooldownMs: 0 });
      const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: GatehouseError) => e.code);

      // Signature and key are checked before the content: a mismatch proves the key was found.
      expect(await codeOf(verifier.verify(await sign(keyA, 'a'), 'post'))).toBe('RECEIPT_CONTENT_MISMATCH');
      expect(await codeOf(verifier.verify(await sign(keyA, 'a'), 'post'))).toBe('RECEIPT_CONTENT_MISMATCH');
      expect(fetches).toBe(1);

      published.keys.push(await publicJwk(keyB, 'b'));
      expect(await codeOf(verifier.verify(await sign(keyB, 'b'), 'post'))).toBe('RECEIPT_CONTENT_MISMATCH');
      expect(fetches).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('keeps the keys for the JWKS\'s max-age, then fetches them again; stale-if-error bridges an outage, then it fails closed', async () => {
    const key = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const published = { keys: [{ ...(await exportJWK(key.publicKey)), kid: 'a', alg: 'EdDSA', use: 'sig' }] };
    let fetches = 0;
    let down = false;
    const server = await listen((req, res) => {
      fetches++;
      if (down) return void res.writeHead(503).end();
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=60, stale-if-error=120' }).end(JSON.stringify(published));
    });
    try {
      let t = 1_000_000;
      const verifier = createJwksVerifier({ jwksUrl: `${server.url}/jwks.json`, clock: () => t });
      const receipt = await new SignJWT({ decision: 'PASS', mode: 'enforced', content_sha256: 'x', content_kind: 'text' })
        .setProtectedHeader({ ...TOKEN_HEADER, kid: 'a' })
        .setIssuer('gatehouse').setJti(randomUUID()).setSubject(randomUUID()).setIssuedAt().setExpirationTime('1h')
        .sign(key.privateKey);
      const codeOf = () => verifier.verify(receipt, 'post').then(() => 'ok', (e: GatehouseError) => e.code);
      expect(await codeOf()).toBe('RECEIPT_CONTENT_MISMATCH'); // the key was found
      t += 59_000;
      expect(await codeOf()).toBe('RECEIPT_CONTENT_MISMATCH');
      expect(fetches).toBe(1);
      t += 2_000; // past max-age: fetched again
      expect(await codeOf()).toBe('RECEIPT_CONTENT_MISMATCH');
      expect(fetches).toBe(2);
      down = true;
      t += 61_000; // stale, the JWKS answers 503: the last keys serve for stale-if-error
      expect(await codeOf()).toBe('RECEIPT_CONTENT_MISMATCH');
      t += 120_000; // past stale-if-error: fail closed
      expect(await codeOf()).toBe('VERIFIER_UNAVAILABLE');
      // The key revoked meanwhile: once the JWKS answers again, its receipts are refused.
      down = false;
      published.keys = [];
      Object.assign(published, { revoked: [{ kid: 'a', revoked_at: Math.floor(Date.now() / 1000) }] });
      const refused = await verifier.verify(receipt, 'post').catch((e: GatehouseError) => e);
      expect(refused).toMatchObject({ code: 'RECEIPT_INVALID', message: 'The receipt was signed by a revoked signing key.', details: { kid: 'a' } });
    } finally {
      await server.close();
    }
  });

  it('fails closed with VERIFIER_UNAVAILABLE (503) when the keys cannot be fetched', async () => {
    const server = await listen(() => undefined);
    const url = `${server.url}/jwks.json`;
    await server.close();
    const receipt = await receiptFor(CONTENT.pass, 'enforced');
    const error = await verifyReceiptOffline(receipt, CONTENT.pass, createJwksVerifier({ jwksUrl: url })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatehouseError);
    expect(error).toMatchObject({ code: 'VERIFIER_UNAVAILABLE', status: 503 });
  });
});
