/**
 * How every `gatehouse` command parses its arguments: a commander program per command module,
 * run in-process and answering an exit code instead of exiting, so that tests call the module
 * as the CLI does. What all of them share, set here once for the whole tree of subcommands:
 *   - `--help` (and `help SUB`) prints help to stdout and does nothing else: exit 0;
 *   - an unknown option or subcommand, a missing or extra argument: the error with commander's
 *     did-you-mean suggestion, the usage line and where the full help is, on stderr: exit 2.
 */
import { Command, CommanderError } from 'commander';
import type { CommandIo } from './command-io.js';

/** The exit code of any usage error (bad option, argument or subcommand). */
export const EXIT_USAGE = 2;

export interface CommandLineOptions {
  /** Renders a usage error (commander's message, without its `error: ` prefix) as the command reports errors; default: the text. */
  renderError?: (message: string, usage: string) => string;
}

export class CommandLine {
  private code = 0;

  constructor(
    private readonly io: CommandIo,
    private readonly options: CommandLineOptions = {},
  ) {}

  /** An action whose answer is the command's exit code. */
  action<A extends unknown[]>(run: (...args: A) => Promise<number> | number): (...args: A) => Promise<void> {
    return async (...args: A) => {
      this.code = await run(...args);
    };
  }

  /** Parses `args` (no program name) with `program`, runs the chosen action, answers its exit code. */
  async run(program: Command, args: string[]): Promise<number> {
    this.configure(program);
    try {
      await program.parseAsync(args, { from: 'user' });
    } catch (error) {
      if (!(error instanceof CommanderError)) throw error;
      // helpDisplayed: --help or `help`; version: --version. `commander.help` is help shown because a
      // command with subcommands was given none: a usage error like any other.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : EXIT_USAGE;
    }
    return this.code;
  }

  /** Settings set on a parent reach only the subcommands made after them; here they reach all of them. */
  private configure(command: Command): void {
    const name = fullName(command);
    const usage = `usage: ${name} ${command.usage()}`;
    const render = this.options.renderError;
    command
      .exitOverride()
      .showSuggestionAfterError(true)
      .configureOutput({
        writeOut: (text) => this.io.out(text.trimEnd()),
        writeErr: (text) => this.io.err(text.trimEnd()),
        outputError: (text, write) => write(render ? render(text.replace(/^error: /, '').trim(), usage) : text),
      });
    if (!render) command.showHelpAfterError(`${usage}\n(run \`${name} --help\` for every option)`);
    command.commands.forEach((sub) => this.configure(sub));
  }
}

/** `gatehouse keys rotate`: the names from the root down. */
export function fullName(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
