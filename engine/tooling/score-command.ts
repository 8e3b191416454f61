/** `gatehouse score --pack DIR --corpus FILE|DIR [--format] [--min-recall] [--max-fp] [--floors FILE] [--summary]` */
import { parseArgs } from 'node:util';
import { formatIssue, PackError } from '../errors.js';
import { loadPack } from '../load.js';
import { MAX_PACK_FILE_BYTES, readSource, SourceError } from '../source.js';
import { loadCorpus } from './corpus.js';
import { formatScore, type ScoreFormat } from './score-format.js';
import { checkFloors, scoreCorpus, uniformFloors, type Floors } from './score.js';

export const SCORE_USAGE =
  'gatehouse score --pack DIR --corpus FILE.jsonl|DIR [--format text|json|markdown] [--min-recall 0.95] [--max-fp 0.02] [--floors FILE] [--summary]';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export async function scoreCommand(args: string[], io: Output): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        pack: { type: 'string' },
        corpus: { type: 'string' },
        format: { type: 'string', default: 'text' },
        'min-recall': { type: 'string' },
        'max-fp': { type: 'string' },
        floors: { type: 'string' },
        summary: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    io.err(`${(error as Error).message}\nusage: ${SCORE_USAGE}`);
    return 2;
  }
  const format = values.format as ScoreFormat;
  const minRecall = rate(values['min-recall']);
  const maxFp = rate(values['max-fp']);
  const problem = !values.pack || !values.corpus
    ? '--pack and --corpus are required'
    : !['text', 'json', 'markdown'].includes(format)
      ? `--format must be text, json or markdown, not "${format}"`
      : Number.isNaN(minRecall) || Number.isNaN(maxFp)
        ? '--min-recall and --max-fp take a number between 0 and 1'
        : undefined;
  if (problem) {
    io.err(`${problem}\nusage: ${SCORE_USAGE}`);
    return 2;
  }
  try {
    const pack = await loadPack(values.pack!);
    const report = await scoreCorpus(pack, await loadCorpus(values.corpus!));
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

function rate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return n >= 0 && n <= 1 ? n : Number.NaN;
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
