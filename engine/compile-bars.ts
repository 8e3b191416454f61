/**
 * Score bars: checks whose `when:` is nothing but model scores compared with numbers, e.g. the
 * pack's five `pattern` checks, `when: { all: [{ fact: scores, path: $.tos-model,
 * operator: greaterThanInclusive, value: 0 }] }`. When a bar fails, the check cannot fire
 * whatever its detector finds, so evaluate() skips the detector (outside `explain`).
 *
 * Why that changes no decision: the check's rule is `hits >= min_hits` and its `when:`, all of
 * whose leaves are numeric comparisons of a number (json-rules-engine's `numberValidator`, then
 * `>=`, `>`, `<=` or `<`): no leaf can throw, and one false leaf makes the rule false. Its
 * findings are only used when it fires. Its `hits` and `signals` are only read by conditions,
 * and a bar is only set when no other check's `when:` names the check at all. The model's
 * score is the `scores` fact itself (the classifier's `score`, computed once per evaluation
 * whichever asks first).
 */
import type { CompiledCheck } from './compile.js';
import type { ResolvedPack } from './pack-schema.js';

type Comparison = 'greaterThanInclusive' | 'greaterThan' | 'lessThanInclusive' | 'lessThan';

/** One leaf `scores.<model> <operator> <value>` of a check's `when:`. */
export interface ScoreBar {
  model: CompiledCheck;
  operator: Comparison;
  value: number;
}

const COMPARISONS = new Set<string>(['greaterThanInclusive', 'greaterThan', 'lessThanInclusive', 'lessThan']);
const LEAF_KEYS = new Set(['fact', 'path', 'operator', 'value']);

/** The bars of every check that has them, by check id (see the file comment for when a check has them). */
export function scoreBars(resolved: ResolvedPack, checks: readonly CompiledCheck[]): Map<string, ScoreBar[]> {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const specs = resolved.checks.filter((spec) => spec.enabled !== false && byId.has(spec.id));
  const conditions = specs.map((spec) => (spec.when === undefined ? '' : JSON.stringify(spec.when)));
  const out = new Map<string, ScoreBar[]>();
  specs.forEach((spec, index) => {
    if (!spec.detector || spec.when === undefined) return;
    const bars = barsOf(spec.when, byId);
    if (!bars) return;
    // Another check's condition that names this one (its hits, its signals) must keep reading them.
    if (conditions.some((text, other) => other !== index && text.includes(spec.id))) return;
    out.set(spec.id, bars);
  });
  return out;
}

function barsOf(when: unknown, checks: ReadonlyMap<string, CompiledCheck>): ScoreBar[] | undefined {
  if (!when || typeof when !== 'object' || Array.isArray(when)) return undefined;
  const keys = Object.keys(when);
  const all = (when as { all?: unknown }).all;
  if (keys.length !== 1 || !Array.isArray(all) || all.length === 0) return undefined;
  const bars: ScoreBar[] = [];
  for (const leaf of all as unknown[]) {
    if (!leaf || typeof leaf !== 'object' || !Object.keys(leaf).every((k) => LEAF_KEYS.has(k))) return undefined;
    const { fact, path, operator, value } = leaf as Record<string, unknown>;
    if (fact !== 'scores' || typeof path !== 'string' || typeof operator !== 'string' || !COMPARISONS.has(operator)) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
    const model = checks.get(/^\$\.([\w-]+)$/.exec(path)?.[1] ?? '');
    if (!model?.detector?.score) return undefined;
    bars.push({ model, operator: operator as Comparison, value });
  }
  return bars;
}

/** Whether the leaf holds for `score`, as json-rules-engine's operator decides it (validator first). */
export function passes(bar: ScoreBar, score: number): boolean {
  if (Number.parseFloat(score as unknown as string).toString() === 'NaN') return false;
  switch (bar.operator) {
    case 'greaterThanInclusive':
      return score >= bar.value;
    case 'greaterThan':
      return score > bar.value;
    case 'lessThanInclusive':
      return score <= bar.value;
    case 'lessThan':
      return score < bar.value;
  }
}
