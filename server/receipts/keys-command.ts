/**
 * `gatehouse keys list` and `gatehouse keys rotate [--revoke]`: the receipt signing keys in
 * the database the server uses (DATABASE_URL, or the PGlite data dir while the server is
 * stopped). Running servers pick up a rotation within SIGNER_REFRESH_MS, without a restart.
 */
import { parseArgs } from 'node:util';
import { ConfigError, createConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { isPublished, publishedUntil, rotateSigningKey } from './key-rotation.js';
import { createSigningKeyStore } from './signing-key-store.js';

type Out = (line: string) => void;

export interface KeysCommandIo {
  out: Out;
  err: Out;
  now?: () => Date;
}

const stdio: KeysCommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

const USAGE = `usage: gatehouse keys list
       gatehouse keys rotate [--revoke]   new signing key; old ones stay in the JWKS until their receipts expire
                                          (--revoke: a key leaked; refuse its receipts and drop it from the JWKS now)`;

export async function keysCommand(args: string[], env: NodeJS.ProcessEnv, io: KeysCommandIo = stdio): Promise<number> {
  const [sub, ...rest] = args;
  let values: { revoke?: boolean };
  try {
    ({ values } = parseArgs({ args: rest, options: { revoke: { type: 'boolean', default: false } } }));
  } catch (error) {
    io.err(`gatehouse keys: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (sub !== 'list' && sub !== 'rotate') {
    io.err(USAGE);
    return 2;
  }
  let config;
  try {
    config = createConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`gatehouse keys: ${error.message}`);
    return 1;
  }
  const now = io.now ?? (() => new Date());
  let db;
  try {
    db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: 1 });
  } catch (error) {
    io.err(`gatehouse keys: cannot open the database: ${(error as Error).message}`);
    return 1;
  }
  try {
    const store = createSigningKeyStore(db.knex);
    const ttl = config.receiptTtlSeconds;
    if (sub === 'rotate') {
      const rotation = await rotateSigningKey(store, { now: now(), ttlSeconds: ttl, revoke: values.revoke });
      io.out(`new signing key ${rotation.kid}`);
      for (const kid of rotation.retired) {
        io.out(
          values.revoke
            ? `revoked ${kid}: its receipts are refused and it is no longer in the JWKS`
            : `retired ${kid}: verifies its receipts until ${publishedUntil({ retired_at: rotation.retiredAt }, ttl)!.toISOString()}`,
        );
      }
    }
    for (const record of await store.all()) {
      const state = record.retired_at === null ? 'active' : isPublished(record, ttl, now()) ? `retired, published until ${publishedUntil(record, ttl)!.toISOString()}` : 'retired, unpublished';
      io.out(`${record.kid}  created ${record.created_at.toISOString()}  ${state}`);
    }
    return 0;
  } catch (error) {
    io.err(`gatehouse keys: ${(error as Error).message} (has \`gatehouse migrate\` run on this database?)`);
    return 1;
  } finally {
    await db.close();
  }
}
