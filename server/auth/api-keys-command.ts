/**
 * `gatehouse api-keys list|create|revoke`: the API keys in the database the server uses
 * (DATABASE_URL, or the PGlite data dir while the server is stopped). Only hashes are stored:
 * `create` prints the new key once. Running servers re-read their keys every KEY_RELOAD_MS, so a
 * created key works and a revoked one is refused within that time, without a restart.
 * (`gatehouse keys` is the receipt signing keys; these are the keys callers present.)
 */
import { Command, Option } from 'commander';
import { CommandLine } from '../../engine/tooling/command-line.js';
import { stdio, withDatabase, type CommandIo } from '../db/database-command.js';
import { ROLES } from '../config.js';
import { ENV_LABEL_PREFIX, GENERATED_LABEL_PREFIX, KEY_RELOAD_MS, generateKey, hashKey } from './api-keys.js';
import type { ApiKeyRecord, Role } from './key-store.js';

const LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export async function apiKeysCommand(args: string[], env: NodeJS.ProcessEnv, io: CommandIo = stdio): Promise<number> {
  const cli = new CommandLine(io);
  const program = new Command('gatehouse api-keys').description(
    'API keys in the database the server uses (DATABASE_URL, or the PGlite data dir while the server is stopped); running servers apply changes within 5 s',
  );
  program
    .command('list')
    .description('every API key: id, role, label, created, and whether it is active or revoked (never the key or its hash)')
    .action(cli.action(() => run(env, io, async (stores) => list(await stores.keys.all(), env, io))));
  program
    .command('create')
    .description('make a new API key and print it once (only its hash is stored)')
    .addOption(new Option('--role <role>', 'what the key may do').choices(ROLES as string[]).makeOptionMandatory())
    .option('--label <label>', 'a readable name, recorded as the audit caller (default: <role>-<hash prefix>)')
    .action(
      cli.action(async (options: { role: Role; label?: string }) => {
        if (options.label !== undefined && (!LABEL.test(options.label) || options.label.startsWith(ENV_LABEL_PREFIX) || options.label.startsWith(GENERATED_LABEL_PREFIX))) {
          io.err(`gatehouse api-keys: --label must be 1-64 letters, digits, '.', '_' or '-', and not start with ${ENV_LABEL_PREFIX} or ${GENERATED_LABEL_PREFIX}`);
          return 2;
        }
        return run(env, io, async (stores) => {
          const key = generateKey();
          const key_hash = hashKey(key);
          const label = options.label ?? `${options.role}-${key_hash.slice(0, 8)}`;
          if ((await stores.keys.all()).some((k) => k.label === label)) {
            io.err(`gatehouse api-keys: a key labelled ${label} exists already`);
            return 1;
          }
          const record = await stores.keys.insert({ role: options.role, key_hash, label });
          io.out(`created ${record.role} key ${record.label} (id ${record.id}); it is shown once, store it now:\n\n  ${key}\n`);
          return 0;
        });
      }),
    );
  program
    .command('revoke')
    .description('refuse a key from now on (running servers within 5 s); it stays listed, as revoked')
    .argument('<id-or-label>', 'the id or the label shown by `gatehouse api-keys list`')
    .action(
      cli.action((idOrLabel: string) =>
        run(env, io, async (stores) => {
          const record = await stores.keys.revoke(idOrLabel);
          if (!record) {
            io.err(`gatehouse api-keys: no key with id or label ${idOrLabel}`);
            return 1;
          }
          io.out(`revoked ${record.role} key ${record.label} at ${record.revoked_at!.toISOString()}; running servers refuse it within ${KEY_RELOAD_MS / 1000} s`);
          // Its hash stays revoked: listing the key in GATEHOUSE_API_KEYS again does not bring it back.
          if (record.label.startsWith(ENV_LABEL_PREFIX)) io.out('it came from GATEHOUSE_API_KEYS: remove it from there as well (it stays refused either way)');
          return 0;
        }),
      ),
    );
  return cli.run(program, args);
}

function run(env: NodeJS.ProcessEnv, io: CommandIo, work: (stores: Parameters<Parameters<typeof withDatabase>[3]>[0]['stores']) => Promise<number>): Promise<number> {
  return withDatabase(
    env,
    io,
    {
      name: 'gatehouse api-keys',
      poolMax: 1,
      openFailedExit: 1,
      runFailed: (error) => {
        io.err(`gatehouse api-keys: ${(error as Error).message} (has \`gatehouse migrate\` run on this database?)`);
        return 1;
      },
    },
    ({ stores }) => work(stores),
  );
}

function list(records: ApiKeyRecord[], env: NodeJS.ProcessEnv, io: CommandIo): number {
  const envSet = (env.GATEHOUSE_API_KEYS ?? '').trim() !== '';
  for (const r of records) {
    const state = r.revoked_at
      ? `revoked ${r.revoked_at.toISOString()}`
      : envSet && r.label.startsWith(GENERATED_LABEL_PREFIX)
        ? 'not accepted while GATEHOUSE_API_KEYS is set'
        : 'active';
    io.out(`${r.id}  ${r.role.padEnd(9)}  ${r.label}  created ${r.created_at.toISOString()}  ${state}`);
  }
  if (records.length === 0) io.out('no API keys (the server generates an admin key at its first start when GATEHOUSE_API_KEYS is unset)');
  return 0;
}
