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
 *
 * The `all` may also hold conditions that cannot throw on the evaluator's facts (the pack's TOS
 * phrase checks: a score bar beside `any: [allInOne …]` over the check's own signals), so that a
 * failed bar still makes the rule false: `all`/`any` lists of leaves that are either `allInOne`
 * over `signals` with a list of names as value (its validator accepts only an array of arrays,
 * its callback only a list of strings, then calls `some`, `every` and `includes` on them), or a
 * comparison of `hits`, `scores` or `post_count` (numbers the evaluator makes) with a number.
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
  if (!isPlainObject(when)) return undefined;
  const keys = Object.keys(when);
  const all = (when as { all?: unknown }).all;
  if (keys.length !== 1 || !Array.isArray(all) || all.length === 0) return undefined;
  const bars: ScoreBar[] = [];
  for (const leaf of all as unknown[]) {
    const bar = scoreBar(leaf, checks);
    if (bar) bars.push(bar);
    else if (!cannotThrow(leaf)) return undefined;
  }
  return bars.length > 0 ? bars : undefined;
}

/** A leaf `scores.<model> <comparison> <number>`, as a bar; undefined for anything else. */
function scoreBar(leaf: unknown, checks: ReadonlyMap<string, CompiledCheck>): ScoreBar | undefined {
  if (!isPlainObject(leaf) || !Object.keys(leaf).every((k) => LEAF_KEYS.has(k))) return undefined;
  const { fact, path, operator, value } = leaf;
  if (fact !== 'scores' || typeof path !== 'string' || typeof operator !== 'string' || !COMPARISONS.has(operator)) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const model = checks.get(/^\$\.([\w-]+)$/.exec(path)?.[1] ?? '');
  if (!model?.detector?.score) return undefined;
  return { model, operator: operator as Comparison, value };
}

/** A condition that json-rules-engine (and conditions.ts) decide without throwing on the evaluator's facts. */
function cannotThrow(node: unknown): boolean {
  if (!isPlainObject(node)) return false;
  const keys = Object.keys(node);
  if (keys.length === 1 && (keys[0] === 'all' || keys[0] === 'any')) {
    const list = node[keys[0]];
    return Array.isArray(list) && list.every(cannotThrow);
  }
  if (!keys.every((k) => LEAF_KEYS.has(k))) return false;
  const { fact, path, operator, value } = node;
  if (path !== undefined && typeof path !== 'string') return false;
  if (operator === 'allInOne') return fact === 'signals' && Array.isArray(value) && value.every((v) => typeof v === 'string');
  return typeof operator === 'string' && COMPARISONS.has(operator) && NUMERIC_FACTS.has(fact as string) && typeof value === 'number' && Number.isFinite(value);
}

const NUMERIC_FACTS = new Set(['hits', 'scores', 'post_count']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Whether the leaf holds for `score`, as json-rules-engine's operator decides it (validator first). */
export function passes(bar: ScoreBar, score: number): boolean {
  // json-rules-engine's numberValidator, `parseFloat(x).toString() !== 'NaN'`: for a number, not NaN
  // (Infinity and -0 pass), without making two strings per check and evaluation.
  if (typeof score === 'number' ? Number.isNaN(score) : Number.parseFloat(score as unknown as string).toString() === 'NaN') return false;
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
