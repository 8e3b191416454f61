/**
 * Score bars: checks whose `when:` is nothing but model scores compared with numbers, e.g. the
 * pack's five `pattern` checks, `when: { all: [{ fact: scores, path: $.tos-model,
 * operator: greaterThanInclusive, value: 0 }] }`. When a bar fails, the check cannot fire
 * whatever its detector finds, so evaluate() skips the detector (outside `explain`).
 *
 * Why that changes no decision: the check's rule is `hits >= min_hits` and its `when:`, all of
 * whose leaves are numeric comparisons of a number (json-rules-engine's `numberValidator`, then
 * `>=`, `>`, `<=` or `<`): no leaf can throw, and one false leaf makes the rule false. Its
 * findings are only used when it fires. Its `hits` and `signals` are only read by conditions:
 * when another check's `when:` names it, it is skipped only when each such reader cannot fire
 * either (its own bars fail, or its detector found too little for its rule to be run). The model's
 * score is the `scores` fact itself (the classifier's `score`, computed once per evaluation
 * whichever asks first).
 *
 * The `all` may also hold conditions that cannot throw on the evaluator's facts (the pack's TOS
 * phrase checks: a score bar beside `any: [allInOne …]` over the check's own signals), so that a
 * failed bar still makes the rule false: `all`/`any` lists of leaves that are either `allInOne`
 * over `signals` with a list of names as value (its validator accepts only an array of arrays,
 * its callback only a list of strings, then calls `some`, `every` and `includes` on them), or a
 * comparison of `hits`, `scores` or `post_count` (numbers the evaluator makes) with a number,
 * or a `not` of one such condition.
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

/** A check whose `when:` names a barred check (its hits, its signals), with the reader's own score bars if it has any. */
export interface BarReader {
  check: CompiledCheck;
  bars?: ScoreBar[];
}

/** A check's score bars, and the other checks whose conditions read its facts. */
export interface CheckBars {
  bars: ScoreBar[];
  /**
   * Skipping the check changes its `hits` and `signals`, which these read: it is skipped only
   * when each of them cannot fire either way (evaluate.ts): a reader whose own bars fail, or one
   * with a detector that found too little to be offered to the rules engine (a rule that is not
   * run reads nothing). Empty when no other condition names the check.
   */
  readers: BarReader[];
}

/** The bars of every check that has them, by check id (see the file comment for when a check has them). */
export function scoreBars(resolved: ResolvedPack, checks: readonly CompiledCheck[]): Map<string, CheckBars> {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const specs = resolved.checks.filter((spec) => spec.enabled !== false && byId.has(spec.id));
  const conditions = specs.map((spec) => (spec.when === undefined ? '' : JSON.stringify(spec.when)));
  // Each check's own bars, whether or not it may be skipped: a reader's failing bars make it unable to fire.
  const own = specs.map((spec) => (spec.when === undefined ? undefined : barsOf(spec.when, byId)));
  const out = new Map<string, CheckBars>();
  specs.forEach((spec, index) => {
    const bars = own[index];
    if (!spec.detector || !bars) return;
    const readers: BarReader[] = [];
    for (let other = 0; other < specs.length; other++) {
      if (other === index || !names(conditions[other]!, spec.id)) continue;
      const reader = byId.get(specs[other]!.id)!;
      const readerBars = own[other];
      // A reader without a detector is offered to the rules engine on every evaluation: only its bars can rule it out.
      if (!readerBars && !reader.detector) return;
      readers.push(readerBars ? { check: reader, bars: readerBars } : { check: reader });
    }
    out.set(spec.id, { bars, readers });
  });
  return out;
}

/** Sets each check's `bars` and `barReaders` (by place in `checks`). */
export function attachBars(resolved: ResolvedPack, checks: CompiledCheck[]): void {
  for (const [id, { bars, readers }] of scoreBars(resolved, checks)) {
    const check = checks.find((c) => c.id === id)!;
    check.bars = bars;
    if (readers.length > 0) check.barReaders = readers.map((r) => ({ index: checks.indexOf(r.check), ...(r.bars ? { bars: r.bars } : {}) }));
  }
}

/**
 * Whether a condition's JSON names the check `id`: the id as a whole word of the text (ids are
 * `[a-z0-9_-]`, paths `$.[A-Za-z0-9_-]+`), so that `$.violent-threat-model` does not name
 * `violent-threat` while `$.violent-threat.posts` and `$.violent-threat` do. Anything else that
 * holds the id as a word (a signal name, a metadata key) counts too: a reader too many only
 * keeps a check detected.
 */
export function names(condition: string, id: string): boolean {
  for (let at = condition.indexOf(id); at >= 0; at = condition.indexOf(id, at + 1)) {
    if (!isIdUnit(condition.charCodeAt(at - 1)) && !isIdUnit(condition.charCodeAt(at + id.length))) return true;
  }
  return false;
}

/** A-Z, a-z, 0-9, `_` and `-` (NaN, outside the text, is none). */
function isIdUnit(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code === 45;
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
  // json-rules-engine negates its one condition (an array is refused when the rule is added).
  if (keys.length === 1 && keys[0] === 'not') return cannotThrow(node.not);
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
