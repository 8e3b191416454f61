/**
 * `gatehouse precompile [DIR]`: compiles every pack under DIR (default GATEHOUSE_RULES_DIR) into
 * the pack cache (GATEHOUSE_PACK_CACHE_DIR), as a deployment step (an image build, say), so that
 * the first start of the service takes them as a restart does (decision 23), as `opa build` makes
 * a bundle once per policy version. Exit 0 when every pack was kept, 1 otherwise.
 */
import { Command } from 'commander';
import pino from 'pino';
import { formatIssue, loadPacks } from '../../engine/index.js';
import type { CommandIo } from '../../engine/tooling/command-io.js';
import { CommandLine } from '../../engine/tooling/command-line.js';
import { createConfig } from '../config.js';
import { createPackCache } from './pack-cache.js';

export async function precompileCommand(args: string[], env: NodeJS.ProcessEnv, io: CommandIo): Promise<number> {
  const cli = new CommandLine(io);
  const program = new Command('gatehouse precompile')
    .description('compile every pack under DIR (default GATEHOUSE_RULES_DIR) into the pack cache GATEHOUSE_PACK_CACHE_DIR, so that the first start takes them as a restart does')
    .argument('[dir]', 'a rules folder, or one pack folder')
    .action(cli.action((dir: string | undefined) => precompile(dir, env, io)));
  return cli.run(program, args);
}

async function precompile(dir: string | undefined, env: NodeJS.ProcessEnv, io: CommandIo): Promise<number> {
  const config = createConfig(env);
  if (!config.packCacheDir) {
    io.err('gatehouse precompile: GATEHOUSE_PACK_CACHE_DIR is off: there is no cache to write');
    return 1;
  }
  const rulesDir = dir ?? config.rulesDir;
  const cache = createPackCache({ dir: config.packCacheDir, logger: pino({ level: 'silent' }), strict: true });
  try {
    const { packs, errors } = await loadPacks(rulesDir, (packDir) => cache.load(packDir));
    for (const pack of packs) io.out(`${pack.id}@${pack.version} ${pack.hash} → ${config.packCacheDir}`);
    for (const error of errors) for (const issue of error.issues) io.err(formatIssue(issue));
    if (packs.length === 0 && errors.length === 0) io.err(`gatehouse precompile: no pack in ${rulesDir}`);
    return errors.length === 0 && packs.length > 0 ? 0 : 1;
  } catch (error) {
    io.err(`gatehouse precompile: ${(error as Error).message}`);
    return 1;
  }
}
