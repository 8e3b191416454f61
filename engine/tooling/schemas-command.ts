/**
 * `gatehouse schemas [--write]`: the JSON files editors use for `$schema`
 * (engine/schema/*.json), checked against (or rewritten from) the TypeBox
 * schemas that validate packs, so that they never drift from the validator.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { schemaDocuments } from '../index.js';
import { stdio, type CommandIo } from './command-io.js';
import { CommandLine } from './command-line.js';

/** `gatehouse schemas [--write]` */
export async function schemasCommand(args: string[], io: CommandIo = stdio): Promise<number> {
  const cli = new CommandLine(io);
  const program = new Command('gatehouse schemas')
    .description('check that engine/schema/*.json (the schemas editors use) match the schemas that validate packs; exit 1 when stale')
    .option('--write', 'rewrite the stale files instead')
    .action(cli.action((options: { write?: boolean }) => schemas(!!options.write, io)));
  return cli.run(program, args);
}

async function schemas(write: boolean, io: CommandIo): Promise<number> {
  let stale = 0;
  for (const [name, doc] of Object.entries(schemaDocuments())) {
    const file = schemaFile(name);
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    const current = await readFile(file, 'utf8').catch(() => '');
    if (current === text) continue;
    if (write) {
      await writeFile(file, text);
      io.out(`wrote engine/schema/${name}`);
    } else {
      stale++;
      io.err(`engine/schema/${name} is stale: run \`npx gatehouse schemas --write\``);
    }
  }
  return stale > 0 ? 1 : 0;
}

/** engine/schema/NAME of the sources, from engine/tooling/ (tsx) or from dist/engine/tooling/ (the built CLI). */
function schemaFile(name: string): URL {
  const here = new URL('.', import.meta.url);
  return new URL(here.pathname.includes('/dist/engine/') ? `../../../engine/schema/${name}` : `../schema/${name}`, here);
}
