/**
 * `gatehouse score`: evaluate a pack over a labelled corpus and report, per
 * label and per family, recall, false-positive rate and precision, with the
 * misses and false positives and what decided them. Which checks count for
 * which label is declared by the pack (`labels:` on each check).
 */
import { evaluate, type TraceEntry } from '../evaluate.js';
import type { CompiledPack } from '../compile.js';
import type { CorpusItem } from './corpus.js';

export interface Rates {
  positives: number;
  negatives: number;
  tp: number;
  fn: number;
  fp: number;
  tn: number;
  /** tp / positives; null with no positives. */
  recall: number | null;
  /** fp / negatives; null with no negatives. */
  fp_rate: number | null;
  /** tp / (tp + fp); null when nothing was flagged. */
  precision: number | null;
}

export interface ItemOutcome {
  id: string;
  family?: string;
  label: string;
  /** Codes the pack reported on this item (all labels). */
  codes: string[];
  /** For a false positive: what fired for this label (check, masked evidence, phrase rule). */
  fired: { check: string; code: string; evidence?: string; rule?: string }[];
  /** For a miss: phrase matches a guard suppressed. */
  suppressed: { check: string; rule: string; guard: string }[];
  excerpt: string;
}

export interface ScoreReport {
  pack: { id: string; version: string; hash: string };
  items: number;
  labels: Record<string, Rates>;
  families: Record<string, Rates>;
  misses: ItemOutcome[];
  false_positives: ItemOutcome[];
  /** Labels in the corpus that no check of the pack declares. */
  undeclared: string[];
}

export interface Floors {
  labels?: Record<string, { min_recall?: number; max_fp?: number }>;
  families?: Record<string, { min_recall?: number; max_fp?: number }>;
}

export async function scoreCorpus(pack: CompiledPack, items: readonly CorpusItem[]): Promise<ScoreReport> {
  const checkLabels = new Map(pack.checks.map((c) => [c.id, c.labels]));
  const declared = new Set(pack.checks.flatMap((c) => c.labels));
  const labels = new Map<string, Counts>();
  const families = new Map<string, Counts>();
  const misses: ItemOutcome[] = [];
  const falsePositives: ItemOutcome[] = [];
  for (const item of items) {
    const decision = await evaluate(pack, { content: item.content, platform: item.platform }, { explain: true });
    const reported = [...decision.violations, ...decision.warnings];
    const codes = [...new Set(reported.map((v) => v.code))].sort();
    for (const [label, positive] of Object.entries(item.labels)) {
      const fired = reported.filter((v) => checkLabels.get(v.check)?.includes(label));
      const flagged = fired.length > 0;
      tally(labels, label, positive, flagged);
      if (item.family) tally(families, item.family, positive, flagged);
      if (positive === flagged) continue;
      const outcome: ItemOutcome = {
        id: item.id,
        family: item.family,
        label,
        codes,
        fired: fired.map((v) => ({ check: v.check, code: v.code, evidence: v.evidence, rule: ruleAt(decision.trace, v.check, v.span) })),
        suppressed: positive ? suppressedFor(decision.trace, label, checkLabels) : [],
        excerpt: excerpt(item.content),
      };
      (positive ? misses : falsePositives).push(outcome);
    }
  }
  return {
    pack: { id: pack.id, version: pack.version, hash: pack.hash },
    items: items.length,
    labels: Object.fromEntries([...labels].sort(([a], [b]) => a.localeCompare(b)).map(([k, c]) => [k, rates(c)])),
    families: Object.fromEntries([...families].sort(([a], [b]) => a.localeCompare(b)).map(([k, c]) => [k, rates(c)])),
    misses,
    false_positives: falsePositives,
    undeclared: [...labels.keys()].filter((l) => !declared.has(l)).sort(),
  };
}

/** Every floor that the report does not meet, as a readable line. */
export function checkFloors(report: ScoreReport, floors: Floors): string[] {
  const failures: string[] = [];
  const judge = (kind: string, rows: Record<string, Rates>, wanted: Floors['labels']) => {
    for (const [name, floor] of Object.entries(wanted ?? {})) {
      const r = rows[name];
      if (!r) {
        failures.push(`${kind} ${name}: not in the corpus`);
        continue;
      }
      if (floor.min_recall !== undefined && r.recall !== null && r.recall < floor.min_recall) {
        failures.push(`${kind} ${name}: recall ${fmt(r.recall)} < ${fmt(floor.min_recall)}`);
      }
      if (floor.max_fp !== undefined && r.fp_rate !== null && r.fp_rate > floor.max_fp) {
        failures.push(`${kind} ${name}: false-positive rate ${pct(r.fp_rate)} > ${pct(floor.max_fp)}`);
      }
    }
  };
  judge('label', report.labels, floors.labels);
  judge('family', report.families, floors.families);
  return failures;
}

/** Floors for every label from `--min-recall` / `--max-fp`. */
export function uniformFloors(report: ScoreReport, minRecall?: number, maxFp?: number): Floors {
  if (minRecall === undefined && maxFp === undefined) return {};
  return { labels: Object.fromEntries(Object.keys(report.labels).map((l) => [l, { min_recall: minRecall, max_fp: maxFp }])) };
}

interface Counts {
  tp: number;
  fn: number;
  fp: number;
  tn: number;
}

function tally(map: Map<string, Counts>, key: string, positive: boolean, flagged: boolean): void {
  let c = map.get(key);
  if (!c) map.set(key, (c = { tp: 0, fn: 0, fp: 0, tn: 0 }));
  if (positive) flagged ? c.tp++ : c.fn++;
  else flagged ? c.fp++ : c.tn++;
}

function rates(c: Counts): Rates {
  const positives = c.tp + c.fn;
  const negatives = c.fp + c.tn;
  return {
    positives,
    negatives,
    ...c,
    recall: positives > 0 ? c.tp / positives : null,
    fp_rate: negatives > 0 ? c.fp / negatives : null,
    precision: c.tp + c.fp > 0 ? c.tp / (c.tp + c.fp) : null,
  };
}

function ruleAt(trace: TraceEntry[] | undefined, check: string, span: [number, number] | undefined): string | undefined {
  if (!trace || !span) return undefined;
  return trace.find((t) => t.check === check && t.outcome === 'matched' && t.span[0] === span[0] && t.span[1] === span[1])?.rule;
}

function suppressedFor(trace: TraceEntry[] | undefined, label: string, checkLabels: Map<string, string[]>): ItemOutcome['suppressed'] {
  return (trace ?? [])
    .filter((t) => t.outcome === 'suppressed' && checkLabels.get(t.check)?.includes(label))
    .map((t) => ({ check: t.check, rule: t.rule, guard: t.guard! }));
}

function excerpt(content: string | string[]): string {
  const text = (Array.isArray(content) ? content.join(' ⏎ ') : content).replace(/\s+/g, ' ');
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

export const fmt = (v: number | null): string => (v === null ? '—' : v.toFixed(2));
export const pct = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
