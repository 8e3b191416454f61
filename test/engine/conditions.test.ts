import { describe, expect, it } from 'vitest';
import { Engine, type RuleProperties, type TopLevelCondition } from 'json-rules-engine';
import { compileCondition, type OperatorLookup } from '../../engine/conditions.js';
import { EnginePool, pathGetter, resolvePath } from '../../engine/engine-pool.js';
import { operators } from '../../engine/operators.js';
// mulberry32, seeded so that a failure can be replayed.
import { rng as random } from '../bench/lib/inputs.js';

// The native decision must equal json-rules-engine's on every condition and facts it accepts.

function lookup(): OperatorLookup {
  const engine = new Engine([], { allowUndefinedFacts: true, pathResolver: resolvePath });
  for (const operator of operators) engine.addOperator(operator);
  return (engine as unknown as { operators: OperatorLookup }).operators;
}

async function viaEngine(conditions: TopLevelCondition, facts: Record<string, unknown>): Promise<boolean> {
  const engine = new Engine([], { allowUndefinedFacts: true, pathResolver: resolvePath });
  for (const operator of operators) engine.addOperator(operator);
  engine.addRule({ name: 'r', conditions, event: { type: 'check' } });
  const { events } = await engine.run(facts);
  return events.length === 1;
}

const FACTS: Record<string, unknown>[] = [
  { hits: { c: 0 }, post_count: 1, platform: 'x', metadata: {} },
  { hits: { c: 2 }, signals: { c: { posts: [['a', 'b'], ['c']], sentences: [['a'], ['b'], ['c']] } }, post_count: 3, platform: 'linkedin', metadata: { tags: ['#AI'] } },
  { hits: { c: 1 }, signals: { c: { posts: [['a']], sentences: [['a']] } }, post_count: 1, platform: 'x', metadata: { tags: 'not-a-list' } },
  { hits: { c: 1 }, signals: { c: 'garbage' }, post_count: '2', platform: null, metadata: null },
  // Fact values the inlined numeric comparisons and allInOne must treat as the operators do.
  { hits: { c: Number.NaN }, scores: { m: Number.POSITIVE_INFINITY }, signals: { c: { posts: [['a', 'b'], 'c'], sentences: [] } }, post_count: '1e1' },
  { hits: { c: '3' }, scores: { m: -0 }, signals: { c: { posts: [[1, 'a'], ['b', 'a']], sentences: [['a', 'b']] } }, post_count: null },
  { hits: { c: [2] }, scores: { m: ' 0.5x' }, signals: { c: { posts: [], sentences: 'ab' } }, post_count: true },
];

const CONDITIONS: unknown[] = [
  { all: [{ fact: 'hits', path: '$.c', operator: 'greaterThanInclusive', value: 1 }] },
  { any: [{ fact: 'signals', path: '$.c.posts', operator: 'allInOne', value: ['a', 'b'] }, { fact: 'signals', path: '$.c.posts', operator: 'allInOne', value: ['c'] }] },
  { all: [{ fact: 'signals', path: '$.c.sentences', operator: 'allInOne', value: ['a', 'b'] }] },
  { any: [{ fact: 'signals', path: '$.missing.posts', operator: 'allInOne', value: ['a'] }, { not: { fact: 'platform', operator: 'equal', value: 'x' } }] },
  { all: [{ fact: 'post_count', operator: 'greaterThan', value: 1 }, { fact: 'metadata', path: '$.tags', operator: 'contains', value: '#AI' }] },
  { all: [{ fact: 'platform', operator: 'in', value: ['x', 'threads'] }, { not: { any: [{ fact: 'nope', operator: 'equal', value: 1 }] } }] },
  { any: [{ fact: 'metadata', path: '$.tags', operator: 'not:contains', value: '#AI' }] },
  { all: [{ fact: 'hits', operator: 'equal', value: 3 }] },
  { any: [{ fact: 'hits', path: '$.c', operator: 'lessThan', value: 3 }, { fact: 'post_count', operator: 'lessThanInclusive', value: 10 }] },
  { all: [{ fact: 'scores', path: '$.m', operator: 'greaterThan', value: -1 }, { fact: 'scores', path: '$.m', operator: 'lessThanInclusive', value: '0.5' }] },
  { any: [{ fact: 'hits', path: '$.c', operator: 'greaterThanInclusive', value: null }, { fact: 'scores', path: '$.m', operator: 'greaterThanInclusive', value: 0 }] },
  { any: [{ fact: 'signals', path: '$.c.posts', operator: 'allInOne', value: ['a', 1] }, { fact: 'signals', path: '$.c.sentences', operator: 'allInOne', value: [] }] },
  { any: [{ fact: 'signals', path: '$.c.posts', operator: 'allInOne', value: 'a' }, { not: { fact: 'signals', path: '$.c.posts', operator: 'allInOne', value: ['b', 'a'] } }] },
  { all: [{ fact: 'signals', path: '$.c.posts', operator: 'not:allInOne', value: ['a'] }, { fact: 'hits', path: '$.c', operator: 'not:greaterThan', value: 1 }] },
  // allInOne leaves over signals decided together per path, beside other leaves of the same list.
  { all: [{ fact: 'signals', path: '$.c.posts', operator: 'allInOne', value: ['a'] }, { fact: 'hits', path: '$.c', operator: 'greaterThanInclusive', value: 1 }, { fact: 'signals', path: '$.c.sentences', operator: 'allInOne', value: ['a'] }, { fact: 'signals', path: '$.c.posts', operator: 'allInOne', value: ['b'] }] },
  { any: [{ fact: 'signals', path: '$.c.posts', operator: 'allInOne', value: ['x'] }, { fact: 'post_count', operator: 'equal', value: 9 }, { fact: 'signals', path: '$.c.sentences', operator: 'allInOne', value: ['c'] }, { fact: 'signals', path: '$.c.posts', operator: 'allInOne', value: ['a', 'b'] }] },
  { all: [{ any: [{ fact: 'signals', path: '$.c.posts', operator: 'allInOne', value: ['c'] }, { fact: 'signals', path: '$.c.posts', operator: 'allInOne', value: [] }] }, { not: { any: [{ fact: 'signals', path: '$.d.posts', operator: 'allInOne', value: ['a'] }] } }] },
  { any: [{ fact: 'signals', operator: 'allInOne', value: ['a'] }, { fact: 'signals', path: '$.c.posts', operator: 'allInOne', value: 7 }] },
];

describe('native conditions', () => {
  it('decide exactly as json-rules-engine does', async () => {
    const table = lookup();
    for (const condition of CONDITIONS) {
      const decide = compileCondition(condition, table, pathGetter);
      expect(decide, JSON.stringify(condition)).toBeDefined();
      for (const facts of FACTS) {
        const expected = await viaEngine(condition as TopLevelCondition, facts);
        expect(decide!(facts) === true, `${JSON.stringify(condition)} on ${JSON.stringify(facts)}`).toBe(expected);
      }
    }
  });

  it('leave fact references, condition references and unknown operators to json-rules-engine', () => {
    const table = lookup();
    expect(compileCondition({ all: [{ fact: 'a', operator: 'equal', value: { fact: 'b' } }] }, table, pathGetter)).toBeUndefined();
    expect(compileCondition({ all: [{ condition: 'shared' }] }, table, pathGetter)).toBeUndefined();
    expect(compileCondition({ all: [{ fact: 'a', operator: 'nearly', value: 1 }] }, table, pathGetter)).toBeUndefined();
    expect(compileCondition({ all: [{ fact: 'a', operator: 'equal', value: 1, priority: 2 }] }, table, pathGetter)).toBeUndefined();
  });

  it('decide a list of many allInOne leaves from the names the groups hold as json-rules-engine does, call after call', async () => {
    const table = lookup();
    const rnd = random(7);
    const pick = (n: number): number => Math.floor(rnd() * n);
    const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'];
    const names = (max: number): string[] => Array.from({ length: pick(max + 1) }, () => NAMES[pick(NAMES.length)]!);
    for (let c = 0; c < 40; c++) {
      // Leaves of one to three names (repeats too), now and then none or a value that is not a list of names.
      const leaves = Array.from({ length: 1 + pick(12) }, () => ({
        fact: 'signals',
        path: '$.c.posts',
        operator: 'allInOne',
        value: rnd() < 0.05 ? 'a' : rnd() < 0.05 ? [] : [NAMES[pick(NAMES.length)]!, ...names(2)],
      }));
      const condition = { any: leaves };
      const decide = compileCondition(condition, table, pathGetter)!;
      for (let f = 0; f < 6; f++) {
        const groups = Array.from({ length: pick(4) }, () => [...names(4), ...(rnd() < 0.1 ? [1] : [])]);
        const facts = { signals: { c: { posts: groups } } };
        expect(decide(facts) === true, `${JSON.stringify(condition)} on ${JSON.stringify(groups)}`).toBe(await viaEngine(condition as TopLevelCondition, facts));
      }
    }
  });

  it('a pool runs json-rules-engine only for the rules it cannot decide', async () => {
    const rules = new Map<string, RuleProperties>([
      ['native', { name: 'native', conditions: { all: [{ fact: 'platform', operator: 'equal', value: 'x' }] }, event: { type: 'check', params: { check: 'native' } } }],
      ['engine', { name: 'engine', conditions: { all: [{ fact: 'platform', operator: 'equal', value: { fact: 'wanted' } }] }, event: { type: 'check', params: { check: 'engine' } } }],
    ]);
    const pool = new EnginePool(rules);
    const facts = { platform: 'x', wanted: 'x' };
    expect(pool.decide(['native', 'engine'], facts)).toEqual({ fired: ['native'], rest: ['engine'] });
    expect(await pool.run(['engine'], facts)).toEqual(['engine']);
  });
});
