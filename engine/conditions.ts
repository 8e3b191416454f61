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
    for (const item of list) {
      const part = compileNode(item, operators, readerOf, readers);
      if (!part) return undefined;
      parts.push(part);
    }
    // json-rules-engine: an empty list passes, for `any` as for `all`; a part passes only when `=== true`.
    if (parts.length === 0) return () => true;
    const every = keys[0] === 'all';
    return (facts, values) => {
      let passed = 0;
      for (const part of parts) if (part(facts, values) === true) passed++;
      return every ? passed === parts.length : passed > 0;
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
  return (facts, values) => {
    let factValue = values[at];
    if (factValue === UNREAD) factValue = values[at] = read(facts);
    return operator.evaluate(factValue, value);
  };
}
