#!/usr/bin/env node
/**
 * The `gatehouse` command: a dispatcher, nothing more. Each command's module parses its own
 * arguments (commander, through engine/tooling/command-line.ts) and is loaded only when asked
 * for: the service modules pull in knex and Express, too slow to load for `gatehouse check`.
 * Pack tooling (check, test, eval, diff, score, schemas, init) lives in engine/tooling/ and
 * needs no database; the service commands live beside their features in server/ and reach
 * the database through db/database-command.ts.
 *
 * To add a command: one entry in COMMANDS; its module exports `(args, …) => Promise<exitCode>`.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { stdio, type CommandIo } from '../engine/tooling/command-io.js';
import { CommandLine } from '../engine/tooling/command-line.js';

interface Entry {
  /** After `gatehouse NAME` in the command list. */
  usage: string;
  summary: string;
  /** Runs the command on the arguments after its name; answers the exit code, or -1 to keep the process running. */
  run(args: string[], io: CommandIo): Promise<number>;
}

const env = process.env;

const COMMANDS: Record<string, Entry> = {
  check: {
    usage: 'DIR…',
    summary: 'validate and compile every pack under DIR, and run the lexicon collision finder',
    run: async (args, io) => (await import('../engine/tooling/pack-commands.js')).checkCommand(args, io),
  },
  test: {
    usage: 'DIR…',
    summary: "run every pack's tests/*.yaml",
    run: async (args, io) => (await import('../engine/tooling/pack-commands.js')).testCommand(args, io),
  },
  eval: {
    usage: '--pack DIR [TEXT]',
    summary: 'evaluate TEXT (or stdin) with a pack, as the service would',
    run: async (args, io) => (await import('../engine/tooling/eval-command.js')).evalCommand(args, io),
  },
  diff: {
    usage: 'OLD NEW --corpus FILE',
    summary: 'the policy impact of a pack change on a corpus',
    run: async (args) => {
      const [{ diffCommand }, { publishedPacks }] = await Promise.all([import('../engine/tooling/diff-command.js'), import('./packs/published-packs.js')]);
      return diffCommand(args, {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        cwd: process.cwd(),
        published: publishedPacks(env, process.cwd()),
      });
    },
  },
  score: {
    usage: '--pack DIR --corpus FILE|DIR',
    summary: 'recall and false positives per label and family on a labelled corpus',
    run: async (args, io) => (await import('../engine/tooling/score-command.js')).scoreCommand(args, io),
  },
  train: {
    usage: '--corpus FILE|DIR --label LABEL --out FILE',
    summary: "fit a pack's text model (classifier detector) to a labelled corpus",
    run: async (args, io) => (await import('../engine/tooling/train-command.js')).trainCommand(args, io),
  },
  schemas: {
    usage: '[--write]',
    summary: 'check (or rewrite) engine/schema/*.json from the schemas that validate packs',
    run: async (args, io) => (await import('../engine/tooling/schemas-command.js')).schemasCommand(args, io),
  },
  init: {
    usage: 'DIR',
    summary: 'start a new pack in DIR: pack.yaml, a lexicon, a tests file and a scoring corpus stub',
    run: async (args, io) => (await import('../engine/tooling/init-command.js')).initCommand(args, io),
  },
  serve: {
    usage: '',
    summary: 'start the HTTP service (same as npm start); configured by the environment',
    run: (args, io) =>
      leaf(args, io, 'serve', 'start the HTTP service; configured by the environment (see docs/operations.md)', async () => {
        await (await import('./main.js')).serve(env);
        return -1; // keeps running
      }),
  },
  precompile: {
    usage: '[DIR]',
    summary: 'compile the packs into the pack cache (GATEHOUSE_PACK_CACHE_DIR), so that the first start is as fast as a restart',
    run: async (args, io) => (await import('./packs/precompile-command.js')).precompileCommand(args, env, io),
  },
  migrate: {
    usage: '',
    summary: 'apply database migrations',
    run: (args, io) =>
      leaf(args, io, 'migrate', 'apply pending migrations to DATABASE_URL, or to the PGlite data dir GATEHOUSE_DATA_DIR (default ./data)', async () =>
        (await import('./db/migrate-command.js')).migrateCommand(env, io),
      ),
  },
  keys: {
    usage: 'list|rotate',
    summary: 'receipt signing keys: list them, or rotate to a new one',
    run: async (args, io) => (await import('./receipts/keys-command.js')).keysCommand(args, env, io),
  },
  'api-keys': {
    usage: 'list|create|revoke',
    summary: 'API keys: list them, create one (shown once), revoke one',
    run: async (args, io) => (await import('./auth/api-keys-command.js')).apiKeysCommand(args, env, io),
  },
  report: {
    usage: 'readiness --stage S',
    summary: 'readiness (burn-in) report and verdict',
    run: async (args, io) => (await import('./reports/report-command.js')).reportCommand(args, env, io),
  },
  audit: {
    usage: 'prune|verify|restore',
    summary: 'retention: archive, verify, delete, restore',
    run: async (args, io) => (await import('./audit/retention/audit-command.js')).auditCommand(args, env, io),
  },
};

/** A command without options or arguments of its own: still `--help`, still exit 2 on anything else. */
function leaf(args: string[], io: CommandIo, name: string, description: string, run: () => Promise<number>): Promise<number> {
  const cli = new CommandLine(io);
  return cli.run(new Command(`gatehouse ${name}`).description(description).action(cli.action(run)), args);
}

/**
 * The root program knows every command's name and summary (for the command list and the
 * did-you-mean) but none of its options: everything after the name goes to the command's module.
 */
async function main(argv: string[], io: CommandIo = stdio): Promise<number> {
  const cli = new CommandLine(io);
  const program = new Command('gatehouse')
    .description('policy-as-data QA gate for AI-generated social content')
    .version(packageVersion(), '-V, --version', 'print the version')
    .enablePositionalOptions()
    .helpCommand(false)
    .configureHelp({ subcommandTerm: (cmd) => `${cmd.name()} ${COMMANDS[cmd.name()]?.usage ?? '[COMMAND]'}`.trim() })
    .addHelpText('after', '\nRun `gatehouse COMMAND --help` for the options of each.');
  for (const [name, entry] of Object.entries(COMMANDS)) {
    program
      .command(name)
      .summary(entry.summary)
      .helpOption(false)
      .argument('[args...]')
      .allowUnknownOption()
      .allowExcessArguments()
      .passThroughOptions()
      .action(cli.action((args: string[]) => entry.run(args, io)));
  }
  program
    .command('help')
    .summary('print the help of gatehouse, or of a command')
    .argument('[COMMAND]')
    .action(
      cli.action((name?: string) => {
        if (name && COMMANDS[name]) return COMMANDS[name].run(['--help'], io);
        program.outputHelp();
        return name ? 2 : 0;
      }),
    );
  return cli.run(program, argv);
}

/** package.json is beside server/ in the sources and two levels up from dist/server/. */
function packageVersion(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'gatehouse' && pkg.version) return pkg.version;
    } catch {
      // not this one
    }
  }
  return 'unknown';
}

// A reader that stops early (`gatehouse eval … | head -1`) closes the pipe: stop quietly, as
// Unix tools do, instead of dying on an unhandled EPIPE with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`gatehouse: ${(error as Error).message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
