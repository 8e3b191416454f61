/**
 * `gatehouse eval --pack DIR [--json] [--explain] [--platform P] [TEXT]`: one
 * evaluation of TEXT (or stdin) by a pack folder, as the service would make
 * it; `--jsonl` evaluates one `{"id","content"}` per stdin line and answers
 * one decision line each, in order. Uses the engine's public index only.
 */
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { evaluate, loadPack, type CompiledPack } from '../index.js';
import { printPackError, readStdin, stdio, type CommandIo } from './command-io.js';
import { CommandLine, EXIT_USAGE } from './command-line.js';

interface EvalOptions {
  pack: string;
  json?: boolean;
  jsonl?: boolean;
  platform?: string;
  explain?: boolean;
}

export async function evalCommand(args: string[], io: CommandIo = stdio): Promise<number> {
  const cli = new CommandLine(io);
  const program = new Command('gatehouse eval')
    .description('evaluate TEXT (or stdin) with a pack folder, as the service would; exit 0 on PASS, 1 otherwise')
    .argument('[TEXT...]', 'the content; read from stdin when absent')
    .requiredOption('--pack <DIR>', 'the pack folder, e.g. rules/qa')
    .option('--platform <P>', "the platform the content is for (default: the pack's)")
    .option('--json', 'print the decision as JSON')
    .option('--explain', 'trace every phrase rule match and the guards that set one aside')
    .option('--jsonl', 'batch: one {"id","content"} per stdin line, one decision line each')
    .addHelpText('after', '\nExamples:\n  gatehouse eval --pack rules/qa "some text"\n  echo \'{"id":"1","content":"hi"}\' | gatehouse eval --pack rules/qa --jsonl')
    .action(cli.action((text: string[], options: EvalOptions) => evalText(text, options, io)));
  return cli.run(program, args);
}

async function evalText(positionals: string[], values: EvalOptions, io: CommandIo): Promise<number> {
  let pack: CompiledPack;
  try {
    pack = await loadPack(values.pack);
  } catch (error) {
    if (!printPackError(error, io)) throw error;
    return 1;
  }
  const platforms = knownPlatforms(pack);
  if (values.platform !== undefined && !platforms.includes(values.platform)) {
    io.err(`gatehouse eval: ${unknownPlatform(values.platform, platforms, pack)}`);
    return EXIT_USAGE;
  }
  if (values.jsonl) return evalJsonl(pack, values.platform, io);
  const text = positionals.length > 0 ? positionals.join(' ') : await readStdin();
  // An empty post is not content the service would be asked about: PASS would say nothing.
  if (text.trim() === '') {
    io.err('gatehouse eval: nothing to evaluate: give the TEXT as an argument or on stdin, e.g. `echo "some text" | gatehouse eval --pack rules/qa`');
    return EXIT_USAGE;
  }
  const decision = await evaluate(pack, { content: text, platform: values.platform }, { explain: values.explain });
  if (values.json) io.out(JSON.stringify(decision, null, 2));
  else {
    io.out(`${decision.decision}  ${pack.id}@${pack.version}`);
    for (const v of [...decision.violations, ...decision.warnings]) {
      const where = v.span ? ` [${v.span[0]}, ${v.span[1]})` : '';
      io.out(`  ${v.severity.padEnd(5)} ${v.code} post ${v.post}${where}: ${v.message}`);
      if (v.revealed_by?.length) io.out(`        revealed by: ${v.revealed_by.join(', ')}`);
      io.out(`        fix: ${v.suggestedFix}`);
    }
    // Why: every phrase match, and the ones a context guard set aside.
    for (const t of decision.trace ?? []) {
      const verdict = t.outcome === 'matched' ? 'matched' : `suppressed by guard ${t.guard}`;
      io.out(`  trace ${t.check}: rule ${t.rule} ${verdict} at post ${t.post} [${t.span[0]}, ${t.span[1]})`);
    }
  }
  return decision.decision === 'PASS' ? 0 : 1;
}

/** Batch mode: answers keep input order; a bad line gets an error line, never stops the batch. */
async function evalJsonl(pack: CompiledPack, platform: string | undefined, io: CommandIo): Promise<number> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let bad = 0;
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    let item: { id?: unknown; content?: unknown; platform?: unknown; metadata?: unknown };
    try {
      item = JSON.parse(line) as typeof item;
    } catch {
      bad++;
      io.out(JSON.stringify({ line: lineNumber, error: { code: 'INVALID_REQUEST', message: 'line is not JSON' } }));
      continue;
    }
    const content = item.content;
    if (typeof content !== 'string' && !(Array.isArray(content) && content.every((c) => typeof c === 'string'))) {
      bad++;
      io.out(JSON.stringify({ id: item.id, error: { code: 'INVALID_REQUEST', message: 'content must be a string or an array of strings' } }));
      continue;
    }
    if (item.platform !== undefined && (typeof item.platform !== 'string' || !knownPlatforms(pack).includes(item.platform))) {
      bad++;
      io.out(JSON.stringify({ id: item.id, error: { code: 'INVALID_REQUEST', message: unknownPlatform(String(item.platform), knownPlatforms(pack), pack) } }));
      continue;
    }
    if ((Array.isArray(content) ? content.join('') : content).trim() === '') {
      bad++;
      io.out(JSON.stringify({ id: item.id, error: { code: 'INVALID_REQUEST', message: 'content is empty' } }));
      continue;
    }
    const decision = await evaluate(pack, {
      content,
      platform: typeof item.platform === 'string' ? item.platform : platform,
      metadata: isRecord(item.metadata) ? item.metadata : undefined,
    });
    io.out(JSON.stringify({ id: item.id, ...decision }));
  }
  return bad > 0 ? 1 : 0;
}

/**
 * The platforms a pack knows: its default and every platform a post_length check names (its
 * `default` entry is a fallback, not a platform). Any other name is a typo the engine would
 * evaluate silently with no length rule at all.
 */
export function knownPlatforms(pack: CompiledPack): string[] {
  const { resolved } = pack;
  const names = new Set([resolved.defaults.platform]);
  for (const check of resolved.checks) {
    const detector = check.detector as { type?: string; platforms?: Record<string, unknown> } | undefined;
    if (detector?.type !== 'post_length' || !detector.platforms) continue;
    for (const name of Object.keys(detector.platforms)) if (name !== 'default') names.add(name);
  }
  return [...names].sort();
}

function unknownPlatform(name: string, known: string[], pack: CompiledPack): string {
  return `unknown platform "${name}": ${pack.id}@${pack.version} knows ${known.join(', ')}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
