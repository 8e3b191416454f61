/** `gatehouse score --pack DIR --corpus FILE|DIR [--tag TAG] [--tails FILE] [--openers FILE] [--format] [--min-recall] [--max-fp] [--floors FILE] [--summary]` */
import { Command, InvalidArgumentError, Option } from 'commander';
import { formatIssue, PackError } from '../errors.js';
import { loadPack } from '../load.js';
import { MAX_PACK_FILE_BYTES, readSource, SourceError } from '../source.js';
import { CommandLine } from './command-line.js';
import { loadCorpus, withTag } from './corpus.js';
import { formatScore, type ScoreFormat } from './score-format.js';
import { loadTails, withOpeners, withTails } from './tails.js';
import { checkFloors, scoreCorpus, uniformFloors, type Floors } from './score.js';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** Which tail and opener each item gets (`--tails`, `--openers`): fixed, so that two packs are scored on the same posts. */
const TAILS_SEED = 1;

interface ScoreOptions {
  pack: string;
  corpus: string;
  format: ScoreFormat;
  minRecall?: number;
  maxFp?: number;
  floors?: string;
  summary?: boolean;
  tag?: string;
  tails?: string;
  openers?: string;
}

export async function scoreCommand(args: string[], io: Output): Promise<number> {
  const cli = new CommandLine(io);
  const program = new Command('gatehouse score')
    .description('recall and false positives per label and evasion family of a pack on a labelled corpus; exit 1 below a floor')
    .requiredOption('--pack <DIR>', 'the pack folder')
    .requiredOption('--corpus <FILE|DIR>', 'a labelled JSONL file, or a folder of them')
    .addOption(new Option('--format <FORMAT>', 'the report format').choices(['text', 'json', 'markdown']).default('text'))
    .addOption(new Option('--min-recall <R>', 'fail when any label or family recalls less (0 to 1)').argParser(rate))
    .addOption(new Option('--max-fp <R>', 'fail when any label has a higher false-positive rate (0 to 1)').argParser(rate))
    .option('--floors <FILE>', 'per-label and per-family floors: labels: { NAME: { min_recall, max_fp } }, families: { … }')
    .option('--summary', 'totals only')
    .option('--tag <TAG>', 'score every item with this tag appended to its last post, as callers whose policy requires a disclosure such as "#AI" send posts')
    .option('--tails <FILE>', 'score every item with one of these label-neutral sentences (one per line: "Link in bio.") appended to its last post, before any --tag: a call to action must not change a verdict')
    .option('--openers <FILE>', 'score every item with one of these label-neutral openers (one per line: "PSA:", "Morning all!") before its first post: how a post starts must not change a verdict either')
    .action(cli.action((options: ScoreOptions) => score(options, io)));
  return cli.run(program, args);
}

async function score(values: ScoreOptions, io: Output): Promise<number> {
  const { format, minRecall, maxFp } = values;
  try {
    const pack = await loadPack(values.pack);
    const loaded = await loadCorpus(values.corpus);
    const opened = values.openers === undefined ? loaded : withOpeners(loaded, await loadTails(values.openers, 'openers'), TAILS_SEED);
    const tailed = values.tails === undefined ? opened : withTails(opened, await loadTails(values.tails), 1, TAILS_SEED);
    const items = values.tag === undefined ? tailed : tailed.map((item) => withTag(item, values.tag!));
    const report = await scoreCorpus(pack, items);
    io.out(formatScore(report, format, { summary: values.summary }));
    const floors = values.floors ? await readFloors(values.floors) : {};
    const failures = [...checkFloors(report, floors), ...checkFloors(report, uniformFloors(report, minRecall, maxFp))];
    for (const f of failures) io.err(`below floor: ${f}`);
    return failures.length > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof PackError) {
      error.issues.forEach((i) => io.err(formatIssue(i)));
      return 1;
    }
    throw error;
  }
}

function rate(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1)) throw new InvalidArgumentError('--min-recall and --max-fp take a number between 0 and 1');
  return n;
}

/** `labels: { violent_threat: { min_recall, max_fp } }, families: { … }` in YAML or JSON. */
async function readFloors(file: string): Promise<Floors> {
  try {
    const { data } = await readSource(file, MAX_PACK_FILE_BYTES);
    const floors = (data ?? {}) as Floors;
    for (const group of [floors.labels, floors.families]) {
      for (const [name, f] of Object.entries(group ?? {})) {
        for (const v of [f.min_recall, f.max_fp]) {
          if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1)) {
            throw new PackError([{ file, path: name, message: 'min_recall and max_fp are numbers between 0 and 1' }]);
          }
        }
      }
    }
    return floors;
  } catch (error) {
    if (error instanceof SourceError) throw new PackError(error.issues);
    throw error;
  }
}
