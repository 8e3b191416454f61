import { SignJWT, generateKeyPair, exportJWK, importJWK } from 'jose';
import { createPrivateKey, sign, randomUUID } from 'node:crypto';
const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
const jwk = await exportJWK(privateKey);
const ko = createPrivateKey({ key: jwk as any, format: 'jwk' });
const claims = { stage: 'bench', mode: 'advisory', pack: 'qa', policy_version: '1.0.0', policy_hash: 'sha256:' + 'a'.repeat(64), decision: 'FAIL', allowed: true, content_sha256: 'b'.repeat(64), content_kind: 'text' };
async function time(name: string, n: number, fn: () => unknown) {
  for (let i = 0; i < 2000; i++) await fn();
  const t = process.cpuUsage(); const w = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const c = process.cpuUsage(t); console.log(`${name.padEnd(36)} ${((c.user + c.system) / n).toFixed(1)} µs cpu ${(((performance.now() - w) * 1000) / n).toFixed(1)} µs wall`);
}
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');
for (let r = 0; r < 2; r++) {
await time('jose SignJWT (WebCrypto key)', 5000, () => new SignJWT({ ...claims }).setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: 'gatehouse-receipt+jwt' }).setIssuer('gatehouse').setJti(randomUUID()).setSubject(randomUUID()).setIssuedAt(1).setExpirationTime(2).sign(privateKey));
await time('node crypto.sign sync (KeyObject)', 5000, () => { const h = b64(JSON.stringify({ alg: 'EdDSA', kid: 'k1', typ: 'gatehouse-receipt+jwt' })); const p = b64(JSON.stringify({ ...claims, iss: 'gatehouse', jti: randomUUID(), sub: randomUUID(), iat: 1, exp: 2 })); const input = `${h}.${p}`; return `${input}.${sign(null, Buffer.from(input), ko).toString('base64url')}`; });
}
