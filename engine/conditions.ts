/**
 * `when:` conditions decided without a json-rules-engine run, where that is
 * safe. A run builds an Almanac, promises per condition and deep-clones the
 * rule's conditions (STACK-NOTES), ~50-150 µs for a weak-signal rule such as
 * `any: [allInOne …] ×12`: more than every detector of a clean post together.
 * The facts the evaluator offers are constants, so a condition tree of
 * `all` / `any` / `not` over plain fact comparisons is a pure function of
 * them; this compiles such a tree once into a closure that walks it with the
 * same operator objects, the same path resolution and the same rules for
 * missing facts (`allowUndefinedFacts`) and empty lists as json-rules-engine.
 * Anything else (fact references in `value`, condition references, unknown
 * operators) returns undefined and keeps going through json-rules-engine.
 * Decision record: docs/decisions/0009-native-conditions.md.
 */
import { Engine } from 'json-rules-engine';
import { allInOne, isGroups, isNames, someGroupHoldsAll } from './operators.js';
/** Decides a compiled condition over the evaluator's facts (a leaf returns its operator's raw result). */
export type Decide = (facts: Readonly<Record<string, unknown>>) => unknown;

/** json-rules-engine's Operator at run time (its typings omit `evaluate`): validator, then callback. */
interface RunnableOperator {
  evaluate(factValue: unknown, value: unknown): unknown;
}

/** Operators by name as json-rules-engine resolves them (its defaults, decorators such as `not:equal`, and ours). */
export interface OperatorLookup {
  get(name: string): RunnableOperator | null | undefined;
}

/** Compiles a condition's `path` into a getter that resolves it as json-rules-engine's path resolver does. */
type PathGetter = (path: string) => (value: object) => unknown;

const LEAF_KEYS = new Set(['fact', 'operator', 'value', 'path', 'params']);

/** A compiled node: `values` holds the fact values read so far in this decision (by reader index). */
type Node = (facts: Readonly<Record<string, unknown>>, values: unknown[]) => unknown;

/** Not read yet in this decision. */
const UNREAD = Symbol('unread');

/**
 * A closure deciding `condition` exactly as json-rules-engine would, or undefined when it must
 * run there. Every part is evaluated, as json-rules-engine does within one priority (it runs the
 * conditions of a list together), so an operator that throws throws here too. A fact at a path
 * is read once per decision however many leaves compare it (self-harm's condition has ~150
 * leaves over three paths): facts are constants, so reading once gives every leaf its value.
 */
export function compileCondition(condition: unknown, operators: OperatorLookup, pathGetter: PathGetter): Decide | undefined {
  const readers: ((facts: Readonly<Record<string, unknown>>) => unknown)[] = [];
  const byKey = new Map<string, number>();
  const readerOf = (fact: string, path: string | undefined): number => {
    const key = `${fact}\u0000${path ?? ''}`;
    let index = byKey.get(key);
    if (index === undefined) {
      const get = path ? pathGetter(path) : undefined;
      byKey.set(key, (index = readers.push((facts) => {
        // Facts are constants here (no params to compute); a missing one is undefined (allowUndefinedFacts).
        const factValue = Object.prototype.hasOwnProperty.call(facts, fact) ? facts[fact] : undefined;
        return get && factValue !== null && typeof factValue === 'object' ? get(factValue) : factValue;
      }) - 1));
    }
    return index;
  };
  const root = compileNode(condition, operators, readerOf, readers);
  if (!root) return undefined;
  return (facts) => root(facts, new Array<unknown>(readers.length).fill(UNREAD));
}

function compileNode(
  condition: unknown,
  operators: OperatorLookup,
  readerOf: (fact: string, path: string | undefined) => number,
  readers: readonly ((facts: Readonly<Record<string, unknown>>) => unknown)[],
): Node | undefined {
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) return undefined;
  const keys = Object.keys(condition);
  const node = condition as Record<string, unknown>;
  if (keys.length === 1 && (keys[0] === 'all' || keys[0] === 'any')) {
    const list = node[keys[0]];
    if (!Array.isArray(list)) return undefined;
    const parts: Node[] = [];
    // The list's `allInOne` leaves over `signals`, by reader: the names of each leaf (undefined: not a list of names).
    const batched = new Map<number, (readonly string[] | undefined)[]>();
    for (const item of list) {
      const path = signalsAllInOne(item, operators);
      if (path !== undefined) {
        const at = readerOf('signals', path || undefined);
        let names = batched.get(at);
        if (!names) batched.set(at, (names = []));
        names.push(isNames((item as { value: unknown }).value) ? (item as { value: string[] }).value : undefined);
        continue;
      }
      const part = compileNode(item, operators, readerOf, readers);
      if (!part) return undefined;
      parts.push(part);
    }
    // json-rules-engine: an empty list passes, for `any` as for `all`; a part passes only when `=== true`.
    if (list.length === 0) return () => true;
    const every = keys[0] === 'all';
    const batches = [...batched].map(([at, names]) => allInOneBatch(at, readers[at]!, names, every));
    const size = list.length;
    return (facts, values) => {
      let passed = 0;
      for (const part of parts) if (part(facts, values) === true) passed++;
      for (const batch of batches) passed += batch(facts, values);
      return every ? passed === size : passed > 0;
    };
  }
  if (keys.length === 1 && keys[0] === 'not') {
    const inner = compileNode(node.not, operators, readerOf, readers);
    return inner && ((facts, values) => !inner(facts, values));
  }
  if (!keys.every((k) => LEAF_KEYS.has(k))) return undefined;
  const { fact, operator: name, value, path } = node;
  if (typeof fact !== 'string' || typeof name !== 'string') return undefined;
  if (path !== undefined && typeof path !== 'string') return undefined;
  // A `value` of { fact: … } is a fact reference that json-rules-engine resolves first.
  if (value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, 'fact')) return undefined;
  const operator = operators.get(name);
  if (!operator) return undefined;
  const at = readerOf(fact, path);
  const read = readers[at]!;
  const test = inlineTest(name, operator, value);
  return (facts, values) => {
    let factValue = values[at];
    if (factValue === UNREAD) factValue = values[at] = read(facts);
    return test(factValue);
  };
}

/**
 * The path of a leaf `{ fact: signals, operator: allInOne, value, path? }` ('' for none), or
 * undefined for any other node. Such leaves cannot throw and read only what `evaluate` builds
 * (dense arrays of arrays of signal names, or undefined), so a list decides them together.
 */
function signalsAllInOne(item: unknown, operators: OperatorLookup): string | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined;
  const leaf = item as Record<string, unknown>;
  if (leaf.fact !== 'signals' || leaf.operator !== 'allInOne' || (operators.get('allInOne') as unknown) !== allInOne) return undefined;
  if (!Object.keys(leaf).every((k) => LEAF_KEYS.has(k))) return undefined;
  if (leaf.path !== undefined && typeof leaf.path !== 'string') return undefined;
  const value = leaf.value;
  if (value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, 'fact')) return undefined;
  return (leaf.path as string | undefined) ?? '';
}

/**
 * How many of a list's `allInOne` leaves over one reader pass (`names[i]` undefined: that leaf's
 * value is not a list of names, so it fails). For an `all` list it may stop at the first that
 * fails and for an `any` list at the first that passes, answering 0 or 1: the list's verdict is
 * the same, and no leaf of the batch can throw or has an effect.
 */
type Facts = Readonly<Record<string, unknown>>;
function allInOneBatch(at: number, read: (facts: Facts) => unknown, names: readonly (readonly string[] | undefined)[], every: boolean): (facts: Facts, values: unknown[]) => number {
  const some = every ? undefined : someLeafHolds(names);
  return (facts, values) => {
    let groups = values[at];
    if (groups === UNREAD) groups = values[at] = read(facts);
    if (!isGroups(groups)) return 0;
    if (some) return some(groups) ? 1 : 0;
    for (let i = 0; i < names.length; i++) if (names[i] === undefined || !someGroupHolds(groups, names[i]!)) return 0;
    return names.length;
  };
}

/**
 * Whether some leaf of an `any` list holds: only a leaf whose names all occur in the groups can,
 * so the groups' few names pick the leaves to test (self-harm's ~150 leaves took ~1.4 µs one by
 * one on a post with one signal). Leaves are pure: the order tested changes no answer.
 */
function someLeafHolds(names: readonly (readonly string[] | undefined)[]): (groups: readonly (readonly unknown[])[]) => boolean {
  const idOf = new Map<string, number>();
  const leavesOf: number[][] = [];
  // Per leaf: how many distinct names it needs; -1 for a leaf that is not a list of names (never holds).
  const need = names.map((list, leaf) => {
    if (list === undefined) return -1;
    const distinct = [...new Set(list)];
    for (const name of distinct) {
      if (!idOf.has(name)) idOf.set(name, leavesOf.push([]) - 1);
      leavesOf[idOf.get(name)!]!.push(leaf);
    }
    return distinct.length;
  });
  const anyGroup = need.includes(0); // a leaf of no names holds wherever there is a group
  // Scratch (decisions are synchronous): the round a name or leaf was last met in, a leaf's names met.
  const nameRound = new Float64Array(leavesOf.length);
  const leafRound = new Float64Array(names.length);
  const found = new Int32Array(names.length);
  let round = 0;
  return (groups) => {
    if (anyGroup && groups.length > 0) return true;
    round++;
    for (const group of groups) {
      for (const name of group) {
        const id = typeof name === 'string' ? idOf.get(name) : undefined;
        if (id === undefined || nameRound[id] === round) continue;
        nameRound[id] = round;
        for (const leaf of leavesOf[id]!) {
          found[leaf] = leafRound[leaf] === round ? found[leaf]! + 1 : 1;
          leafRound[leaf] = round;
          if (found[leaf] === need[leaf] && someGroupHolds(groups as readonly (readonly string[])[], names[leaf]!)) return true;
        }
      }
    }
    return false;
  };
}

/** `someGroupHoldsAll` as loops, for the dense arrays `evaluate` builds (no callback per group and name). */
function someGroupHolds(groups: readonly (readonly string[])[], names: readonly string[]): boolean {
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g]!;
    let all = true;
    for (let n = 0; n < names.length && all; n++) all = group.includes(names[n]!);
    if (all) return true;
  }
  return false;
}

/** json-rules-engine's own operators (no decorators, none of ours), to recognise them by identity. */
const DEFAULTS = (new Engine() as unknown as { operators: OperatorLookup }).operators;

/** The numeric comparisons' callbacks, as json-rules-engine's defaults write them. */
const COMPARE: Record<string, (a: number, b: never) => boolean> = {
  lessThan: (a, b) => a < b,
  lessThanInclusive: (a, b) => a <= b,
  greaterThan: (a, b) => a > b,
  greaterThanInclusive: (a, b) => a >= b,
};

/**
 * A leaf's test of its fact value, `operator.evaluate(factValue, value)` with the constant
 * `value` bound. Two operators, which are most of a pack's leaves (self-harm and the TOS checks:
 * ~160 `allInOne` leaves on a post with violations), are written out with the same result: a
 * numeric comparison of a number (numberValidator, `parseFloat(x).toString() !== 'NaN'`, is
 * `!isNaN(x)` for a number; any other fact value still goes through the operator), and
 * `allInOne`, whose validator and callback only read arrays (`isNames(value)` decided once).
 */
function inlineTest(name: string, operator: RunnableOperator, value: unknown): (factValue: unknown) => unknown {
  if ((operator as unknown) === allInOne) {
    const names = isNames(value) ? value : undefined;
    return (factValue) => isGroups(factValue) && names !== undefined && someGroupHoldsAll(factValue, names);
  }
  const compare = Object.prototype.hasOwnProperty.call(COMPARE, name) && operator === DEFAULTS.get(name) ? COMPARE[name]! : undefined;
  if (compare) {
    return (factValue) => (typeof factValue === 'number' ? !Number.isNaN(factValue) && compare(factValue, value as never) : operator.evaluate(factValue, value));
  }
  return (factValue) => operator.evaluate(factValue, value);
}
