/**
 * `gatehouse keys list` and `gatehouse keys rotate [--revoke]`: the receipt signing keys in
 * the database the server uses (DATABASE_URL, or the PGlite data dir while the server is
 * stopped). Running servers pick up a rotation within SIGNER_LEASE_MS, without a restart;
 * `rotate --revoke` returns only after that, so that no server signs with a revoked key once it has.
 */
import { Command } from 'commander';
import { CommandLine } from '../../engine/tooling/command-line.js';
import { stdio, withDatabase, type CommandIo } from '../db/database-command.js';
import { isPublished, publishedUntil, rotateSigningKey, untilRevocationApplies } from './key-rotation.js';

export interface KeysCommandIo extends CommandIo {
  now?: () => Date;
  /** How `rotate --revoke` waits out the signer lease (tests may count instead of waiting). */
  sleep?: (ms: number) => Promise<void>;
}

export async function keysCommand(args: string[], env: NodeJS.ProcessEnv, io: KeysCommandIo = stdio): Promise<number> {
  const cli = new CommandLine(io);
  const program = new Command('gatehouse keys').description(
    'receipt signing keys in the database the server uses (DATABASE_URL, or the PGlite data dir while the server is stopped)',
  );
  program
    .command('list')
    .description('list the signing keys and whether each is active, retired or unpublished')
    .action(cli.action(() => signingKeys('list', false, env, io)));
  program
    .command('rotate')
    .description('make a new signing key; old ones stay in the JWKS until their receipts expire')
    .option('--revoke', 'a key leaked: refuse its receipts, list it as revoked in the JWKS, and return once no server signs with it (~6 s)')
    .action(cli.action((options: { revoke?: boolean }) => signingKeys('rotate', !!options.revoke, env, io)));
  return cli.run(program, args);
}

async function signingKeys(sub: 'list' | 'rotate', revoke: boolean, env: NodeJS.ProcessEnv, io: KeysCommandIo): Promise<number> {
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
      const rotation = await rotateSigningKey(store, { now: now(), ttlSeconds: ttl, revoke });
      io.out(`new signing key ${rotation.kid}`);
      // Servers sign with a key only for one lease after they last saw it active: wait that out.
      if (revoke && rotation.retired.length > 0) await untilRevocationApplies(io.sleep);
      for (const kid of rotation.retired) {
        io.out(
          revoke
            ? `revoked ${kid}: no server signs with it any more, its receipts are refused, and the JWKS lists it as revoked`
            : `retired ${kid}: verifies its receipts until ${publishedUntil({ retired_at: rotation.retiredAt }, ttl)!.toISOString()}`,
        );
      }
    }
    for (const record of await store.all()) {
      const state = record.revoked_at
        ? `revoked ${record.revoked_at.toISOString()}`
        : record.retired_at === null ? 'active' : isPublished(record, ttl, now()) ? `retired, published until ${publishedUntil(record, ttl)!.toISOString()}` : 'retired, unpublished';
      io.out(`${record.kid}  created ${record.created_at.toISOString()}  ${state}`);
    }
    return 0;
  });
}
