/** `gatehouse train --corpus FILE|DIR --label LABEL --out FILE [--target-fp R] [--max-features N] [--epochs N] [--seed N] [--normalize N] [--nb-scale S] [--skip-quoted] [--tag TAG] [--tails FILE [--tails-share R]]` */
import { writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { formatIssue, PackError } from '../errors.js';
import { CommandLine } from './command-line.js';
import { loadCorpus } from './corpus.js';
import type { Output } from './score-command.js';
import { loadTails } from './tails.js';
import { DEFAULT_NORMALIZE, NB_SCALE, TAILS_SHARE, trainModel } from './train.js';

interface TrainArgs {
  corpus: string;
  label: string;
  out: string;
  targetFp: number;
  maxFeatures: number;
  epochs: number;
  seed: number;
  normalize: number;
  skipQuoted?: boolean;
  nbScale: number;
  tag?: string;
  tails?: string;
  tailsShare: number;
}

export async function trainCommand(args: string[], io: Output): Promise<number> {
  const cli = new CommandLine(io);
  const program = new Command('gatehouse train')
    .description("fit a pack's text model (a `classifier` detector) to a labelled corpus; train on the dev split, score on the test split")
    .requiredOption('--corpus <FILE|DIR>', 'a labelled JSONL file, or a folder of them')
    .requiredOption('--label <LABEL>', 'the label to predict, e.g. violent_threat')
    .requiredOption('--out <FILE>', 'the model file to write (JSON), e.g. rules/qa/models/violent-threat.json')
    .addOption(new Option('--target-fp <R>', 'false-positive rate the threshold is chosen for, by 5-fold cross-validation').argParser(rate).default(0.01))
    .addOption(new Option('--max-features <N>', 'keep the N heaviest features').argParser(count).default(20000))
    .addOption(new Option('--epochs <N>', 'passes over the corpus').argParser(count).default(30))
    .addOption(new Option('--seed <N>', 'the order of the passes; the same seed and corpus give the same file').argParser(count).default(1))
    .addOption(new Option('--normalize <N>', "scale each post's weights by sqrt(N / its number of features), so that long posts do not add up small weights; 0: not scaled").argParser(countOrZero).default(DEFAULT_NORMALIZE))
    .addOption(new Option('--nb-scale <S>', "scale each feature's input by (1 - S) + S * |its naive-Bayes log-count ratio| (NBSVM); 0: plain logistic regression").argParser(share).default(NB_SCALE))
    .option('--skip-quoted', 'read each post without the words inside quotation marks when the author writes words of their own around them (a warning that quotes a scam)')
    .option('--tag <TAG>', 'append this tag to a seeded half of the posts, positive and negative alike, so that the model gives a disclosure every post of the service carries (e.g. "#AI") no weight')
    .option('--tails <FILE>', 'label-neutral sentences, one per line ("Link in bio.", "Follow for more!"), appended to a seeded share of the posts of either label, so that the model gives a call to action no weight')
    .addOption(new Option('--tails-share <R>', 'the share of posts given a tail (with --tails)').argParser(share).default(TAILS_SHARE))
    .action(cli.action((options: TrainArgs) => train(options, io)));
  return cli.run(program, args);
}

async function train(options: TrainArgs, io: Output): Promise<number> {
  try {
    const items = await loadCorpus(options.corpus);
    const tails = options.tails === undefined ? undefined : { file: options.tails, lines: await loadTails(options.tails), share: options.tailsShare };
    const model = trainModel(items, { tails, label: options.label, epochs: options.epochs, seed: options.seed, normalize: options.normalize, skipQuoted: options.skipQuoted === true, maxFeatures: options.maxFeatures, nbScale: options.nbScale, targetFp: options.targetFp, corpus: options.corpus, tag: options.tag });
    await writeFile(options.out, `${JSON.stringify(model, null, 1)}\n`);
    const t = model.trained!;
    io.out(`wrote ${options.out}: ${Object.keys(model.features).length} features, threshold ${model.threshold}, cross-validated recall ${t.cv_recall} at ${t.target_fp} false positives (${t.positives} of ${t.items} items positive)`);
    return 0;
  } catch (error) {
    if (error instanceof PackError) {
      error.issues.forEach((i) => io.err(formatIssue(i)));
      return 1;
    }
    if (error instanceof Error && /needs both positive and negative/.test(error.message)) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
}

function rate(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError('a rate between 0 and 1, e.g. 0.01');
  return n;
}

function share(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('a share between 0 and 1, e.g. 0.25');
  return n;
}

function countOrZero(value: string): number {
  return value === '0' ? 0 : count(value);
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of at least 1');
  return n;
}
