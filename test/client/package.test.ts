// `npm pack` of client/ installed into an empty project as a posting service would install it:
// nothing of the server comes with it, and the offline verifier works there. Offline: the
// client's dependencies are packed from this repository's node_modules (the versions it is
// tested with) and installed beside it, so npm needs no registry.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiptService } from '../../server/receipts/receipts.js';
import { fakeSigningKeyStore } from '../server/fakes.js';
import { receiptFactsFor } from '../server/receipt-facts.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const SERVER_PACKAGES = ['express', 'knex', 'pg', '@electric-sql/pglite', 'knex-pglite', 'pino', 'helmet', 'json-rules-engine'];

let work: string;
let app: string;

/** npm with the machine's cache and no network: a posting service's install, minus the download. */
function npm(args: string[], cwd: string) {
  return run('npm', [...args, '--offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd, env: { ...process.env, npm_config_update_notifier: 'false' } });
}

type Manifest = { dependencies?: Record<string, string> };
const manifest = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;

/** The client's dependencies and theirs, as installed here. */
function dependencyDirs(names: string[], seen = new Set<string>()): string[] {
  for (const name of names) {
    if (seen.has(name)) continue;
    seen.add(name);
    dependencyDirs(Object.keys(manifest(path.join(ROOT, 'node_modules', name)).dependencies ?? {}), seen);
  }
  return [...seen].map((name) => path.join(ROOT, 'node_modules', name));
}

async function pack(dir: string, into: string): Promise<string> {
  const { stdout } = await npm(['pack', dir, '--pack-destination', into], ROOT);
  return path.join(into, stdout.trim().split('\n').at(-1)!);
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'gh-client-pack-'));
  const tarballs = path.join(work, 'tarballs');
  mkdirSync(tarballs);
  // prepack builds client/dist (client/ and the contract) from source; in a copy, so that the
  // client/dist other tests use is never half rebuilt under them.
  const src = path.join(work, 'src');
  for (const part of ['client', 'contract']) {
    const from = path.join(ROOT, part);
    cpSync(from, path.join(src, part), { recursive: true, filter: (f) => !f.startsWith(path.join(from, 'dist')) });
  }
  cpSync(path.join(ROOT, 'tsconfig.json'), path.join(src, 'tsconfig.json'));
  // contract/ is ES modules because the repository's package.json says so.
  writeFileSync(path.join(src, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(src, 'node_modules'));
  const client = await pack(path.join(src, 'client'), tarballs);
  const dependencies = [];
  for (const dir of dependencyDirs(Object.keys(manifest(path.join(ROOT, 'client')).dependencies ?? {}))) dependencies.push(await pack(dir, tarballs));
  app = path.join(work, 'posting-app');
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'posting-app', private: true, type: 'module' }));
  await npm(['install', client, ...dependencies], app);
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed client in an empty project', () => {
  it('declares no server package, and installs none', () => {
    const declared = Object.keys(manifest(path.join(ROOT, 'client')).dependencies ?? {});
    expect(declared.filter((p) => SERVER_PACKAGES.includes(p))).toEqual([]);
    expect(existsSync(path.join(app, 'node_modules/@gatehouse/client/dist/client/index.js'))).toBe(true);
    expect(existsSync(path.join(app, 'node_modules/jose'))).toBe(true);
    const present = SERVER_PACKAGES.filter((p) => existsSync(path.join(app, 'node_modules', p)));
    expect(present).toEqual([]);
  });

  it('verifies a receipt offline against the JWKS, and refuses it for other content', async () => {
    const receipts = await createReceiptService({ store: fakeSigningKeyStore(), ttlSeconds: 3600 });
    const content = ['1/2 We are launching the new garden planner today.', '2/2 Plan your beds in minutes.'];
    const receipt = await receipts.sign(receiptFactsFor(content));
    const script = `
      import { verifyReceiptOffline, GatehouseError } from '@gatehouse/client';
      const { receipt, jwks, content } = JSON.parse(process.argv[2]);
      const ok = await verifyReceiptOffline(receipt, content, jwks);
      const other = await verifyReceiptOffline(receipt, 'something else', jwks).catch((e) => e);
      console.log(JSON.stringify({ ok, other: { isGatehouseError: other instanceof GatehouseError, code: other.code, status: other.status } }));
    `;
    writeFileSync(path.join(app, 'verify.mjs'), script);
    const { stdout } = await run(process.execPath, ['verify.mjs', JSON.stringify({ receipt, jwks: await receipts.jwks(), content })], { cwd: app });
    const result = JSON.parse(stdout) as { ok: { valid: boolean; allowed_to_post: boolean; claims: { decision: string } }; other: unknown };
    expect(result.ok).toMatchObject({ valid: true, allowed_to_post: true, claims: { decision: 'PASS' } });
    expect(result.other).toEqual({ isGatehouseError: true, code: 'RECEIPT_CONTENT_MISMATCH', status: 422 });
  });
});
