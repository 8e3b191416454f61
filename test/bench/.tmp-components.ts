// temporary: per-component costs of the evaluate path (deleted after use)
import { evaluate, loadPack } from '../../engine/index.js';
import { METADATA, oneFindingPost } from './lib/inputs.js';
import { SignJWT, generateKeyPair } from 'jose';
import { createHash, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { createWriteStream } from 'node:fs';
import knexFactory from 'knex';

const POST = oneFindingPost(280);
const pack = await loadPack(new URL('../../rules/qa', import.meta.url).pathname);
async function time(name: string, n: number, fn: () => unknown) {
  for (let i = 0; i < Math.min(n, 2000); i++) await fn();
  const t = process.cpuUsage(); const w = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const c = process.cpuUsage(t); const wall = performance.now() - w;
  console.log(`${name.padEnd(40)} ${((c.user + c.system) / n).toFixed(1).padStart(8)} µs cpu  ${((wall * 1000) / n).toFixed(1).padStart(8)} µs wall`);
}
await time('engine evaluate (one-finding post)', 5000, () => evaluate(pack, { content: POST, platform: 'x', metadata: METADATA }));
const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
await time('jose SignJWT EdDSA', 5000, () => new SignJWT({ a: 1, stage: 'x', decision: 'FAIL', content_sha256: 'ab'.repeat(32) }).setProtectedHeader({ alg: 'EdDSA', kid: 'k' }).setIssuer('g').setJti(randomUUID()).setSubject('s').setIssuedAt(1).setExpirationTime(2).sign(privateKey));
await time('sha256 of post', 20000, () => createHash('sha256').update(POST, 'utf8').digest('hex'));
await time('randomUUID', 20000, () => randomUUID());
const log = pino({ level: 'info', base: { service: 'g' }, redact: { paths: ['req.headers.authorization', '*.content', 'content'], censor: '[r]' } }, createWriteStream('/dev/null'));
const child = log.child({ req: { id: 'x', method: 'POST', url: '/v1/evaluate' } });
await time('pino child + 1 line (stream)', 20000, () => log.child({ req: { id: 'x', method: 'POST', url: '/v1/evaluate' } }).info({ request_id: 'abc', stage: 'x', mode: 'advisory', decision: 'FAIL', latency_ms: 1.2 }, 'decision'));
const logSync = pino({ level: 'info', base: { service: 'g' }, redact: { paths: ['req.headers.authorization', '*.content', 'content'], censor: '[r]' } }, pino.destination({ dest: '/dev/null', sync: true }));
await time('pino 1 line (sync dest)', 20000, () => logSync.info({ request_id: 'abc', stage: 'x', mode: 'advisory', decision: 'FAIL', latency_ms: 1.2 }, 'decision'));
const logAsync = pino({ level: 'info', base: { service: 'g' }, redact: { paths: ['req.headers.authorization', '*.content', 'content'], censor: '[r]' } }, pino.destination({ dest: '/dev/null', sync: false, minLength: 4096 }));
await time('pino 1 line (async dest, 4 KiB)', 20000, () => logAsync.info({ request_id: 'abc', stage: 'x', mode: 'advisory', decision: 'FAIL', latency_ms: 1.2 }, 'decision'));
void child;
const knex = knexFactory({ client: 'pg' });
const row = { request_id: randomUUID(), receipt_id: randomUUID(), created_at: new Date(), stage: 'bench', mode: 'advisory', pack_id: 'qa', policy_version: '1.0.0', policy_hash: 'sha256:' + 'a'.repeat(64), decision: 'FAIL', allowed: true, violation_codes: ['TOS_SCAM'], violations: JSON.stringify([{ code: 'TOS_SCAM', message: 'x'.repeat(80) }]), content_sha256: 'a'.repeat(64), content_size: 280, content_kind: 'text', content: null, workflow_id: 'w', agent: 'a', platform: 'x', caller: 'env-evaluator', latency_ms: 1.2, response: JSON.stringify({ a: 1, b: 'x'.repeat(600) }) };
const rows100 = Array.from({ length: 100 }, () => ({ ...row }));
await time('knex build insert 100 rows (per row)', 200, () => knex('audit_events').insert(rows100).onConflict('request_id').ignore().toSQL());
console.log('(knex per 100 rows; divide by 100)');
await knex.destroy();
