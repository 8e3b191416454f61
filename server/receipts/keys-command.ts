/**
 * `gatehouse keys list` and `gatehouse keys rotate [--revoke]`: the receipt signing keys in
 * the database the server uses (DATABASE_URL, or the PGlite data dir while the server is
 * stopped). Running servers pick up a rotation within SIGNER_REFRESH_MS, without a restart.
 */
import { parseArgs } from 'node:util';
import { stdio, withDatabase, type CommandIo } from '../db/database-command.js';
import { isPublished, publishedUntil, rotateSigningKey } from './key-rotation.js';

export interface KeysCommandIo extends CommandIo {
  now?: () => Date;
}

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
  const now = io.now ?? (() => new Date());
  return withDatabase(env, io, {
    name: 'gatehouse keys',
    poolMax: 1,
    openFailedExit: 1,
    runFailed: (error) => {
      io.err(`gatehouse keys: ${(error as Error).message} (has \`gatehouse migrate\` run on this database?)`);
      return 1;
    },
  }, async ({ config, stores }) => {
    const store = stores.signingKeys;
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
  });
}
