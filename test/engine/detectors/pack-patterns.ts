// The default pack's pattern-check patterns and the held-out corpus texts, for properties that
// must hold for every real pattern on real posts (the scan's prefilter and loosened sets).
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RE2JS } from 're2js';
import YAML from 'yaml';
import { flagBits } from '../../../engine/detectors/pattern.js';
import { INPUTS } from '../../bench/lib/inputs.js';

const PACK_DIR = fileURLToPath(new URL('../../../rules/qa', import.meta.url));

export interface PackPattern {
  source: string;
  flags: string;
  re: RE2JS;
}

/** Every `patterns` and `unless` entry of the default pack's pattern checks, compiled with its check's flags. */
export function defaultPackPatterns(): PackPattern[] {
  const pack = YAML.parse(readFileSync(`${PACK_DIR}/pack.yaml`, 'utf8')) as {
    checks: { detector?: { type: string; patterns?: string[]; unless?: string[]; flags?: string } }[];
  };
  return pack.checks.flatMap(({ detector: d }) => {
    if (d?.type !== 'pattern') return [];
    const flags = d.flags ?? 'i';
    return [...d.patterns!, ...(d.unless ?? [])].map((source) => ({ source, flags, re: RE2JS.compile(source, flagBits(flags)) }));
  });
}

/** Every post of the held-out splits (test and validation: every family the corpus has) and of the benchmark inputs. */
export function heldOutTexts(): string[] {
  const texts = ['test', 'validation'].flatMap((split) =>
    readdirSync(`${PACK_DIR}/eval/${split}`)
      .filter((f) => f.endsWith('.jsonl'))
      .flatMap((f) => readFileSync(`${PACK_DIR}/eval/${split}/${f}`, 'utf8').split('\n').filter(Boolean))
      .flatMap((line) => [(JSON.parse(line) as { content: string | string[] }).content].flat()),
  );
  texts.push(...Object.values(INPUTS).flatMap(({ content }) => [content].flat().map((p) => (typeof p === 'string' ? p : p.text))));
  return texts;
}
