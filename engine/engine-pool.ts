/**
 * json-rules-engine keeps its run state on the Engine, so concurrent `run()`
 * calls on one Engine lose results (STACK-NOTES). Every in-flight evaluation
 * therefore borrows an Engine of its own from a pool.
 *
 * Like OPA's rule indexing, an evaluation only runs the rules whose facts can
 * make them fire: the pool is keyed by that candidate set, so a clean post
 * runs no rule at all and a post with one finding pays for one rule.
 */
import { Engine, type RuleProperties, type PathResolver } from 'json-rules-engine';
import { operators } from './operators.js';
import { compileCondition, type Decide, type OperatorLookup } from './conditions.js';

/** Plain `$.a.b` paths (the only form the pack schema allows), without jsonpath-plus per condition. */
export const resolvePath: PathResolver = (value, path) => walk(value, path.split('.').slice(1));

/** `resolvePath` with the path split once (native conditions resolve the same path per evaluation). */
export const pathGetter = (path: string): ((value: object) => unknown) => {
  const keys = path.split('.').slice(1);
  return (value) => walk(value, keys);
};

function walk(value: object, keys: readonly string[]): unknown {
  let current: unknown = value;
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

const MAX_IDLE_PER_SET = 32;
const MAX_SETS = 256;

export class EnginePool {
  private readonly idle = new Map<string, Engine[]>();
  /** Rules whose conditions are decided without a json-rules-engine run (engine/conditions.ts). */
  private readonly native = new Map<string, Decide>();

  constructor(private readonly rules: ReadonlyMap<string, RuleProperties>) {
    // The operators exactly as a run resolves them: json-rules-engine's defaults and decorators, plus ours.
    const lookup = new Engine([], { allowUndefinedFacts: true, pathResolver: resolvePath });
    for (const operator of operators) lookup.addOperator(operator);
    const table = (lookup as unknown as { operators: OperatorLookup }).operators;
    for (const [name, rule] of rules) {
      const decide = compileCondition(rule.conditions, table, pathGetter);
      if (decide) this.native.set(name, decide);
    }
  }

  /**
   * Decides the candidates that need no json-rules-engine run; returns the ones that fired and
   * the ones left for `run`.
   */
  decide(candidates: readonly string[], facts: Record<string, unknown>): { fired: string[]; rest: string[] } {
    const fired: string[] = [];
    const rest: string[] = [];
    for (const name of candidates) {
      const decide = this.native.get(name);
      if (!decide) rest.push(name);
      else if (decide(facts) === true) fired.push(name);
    }
    return { fired, rest };
  }

  /** Runs the rules named in `candidates` over `facts`; returns the names of the rules that fired. */
  async run(candidates: readonly string[], facts: Record<string, unknown>): Promise<string[]> {
    if (candidates.length === 0) return [];
    const key = candidates.join('\u0000');
    const engine = this.acquire(key, candidates);
    try {
      const { events } = await engine.run(facts);
      return events.map((event) => String(event.params?.check));
    } finally {
      this.release(key, engine);
    }
  }

  private acquire(key: string, candidates: readonly string[]): Engine {
    const engine = this.idle.get(key)?.pop();
    if (engine) return engine;
    const fresh = new Engine([], { allowUndefinedFacts: true, pathResolver: resolvePath });
    for (const operator of operators) fresh.addOperator(operator);
    for (const name of candidates) fresh.addRule(this.rules.get(name)!);
    return fresh;
  }

  private release(key: string, engine: Engine): void {
    let list = this.idle.get(key);
    if (!list) {
      // Bound the number of distinct candidate sets kept: evict the oldest.
      if (this.idle.size >= MAX_SETS) this.idle.delete(this.idle.keys().next().value!);
      this.idle.set(key, (list = []));
    }
    if (list.length < MAX_IDLE_PER_SET) list.push(engine);
  }
}
