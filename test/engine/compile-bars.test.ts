import { describe, expect, it } from 'vitest';
import { Engine } from 'json-rules-engine';
import { names, passes, scoreBars } from '../../engine/compile-bars.js';
import type { CompiledCheck } from '../../engine/compile.js';
import { resolvePath } from '../../engine/engine-pool.js';
import type { ResolvedPack } from '../../engine/pack-schema.js';

const model = { id: 'm', detector: { detect: () => [], score: () => 0 } } as unknown as CompiledCheck;
const lexicon = { id: 'lex', detector: { detect: () => [] } } as unknown as CompiledCheck;
const check = (id: string): CompiledCheck => ({ id, detector: { detect: () => [] } }) as unknown as CompiledCheck;
/** The compiled checks of specs: with a detector unless the spec says `detector: undefined`. */
const compiledOf = (specs: { id: string; detector?: unknown }[]) => specs.map((s) => ('detector' in s && s.detector === undefined ? ({ id: s.id } as CompiledCheck) : check(s.id)));
const bar = (operator: string, value: unknown, path = '$.m') => ({ fact: 'scores', path, operator, value });

function barsFor(specs: { id: string; when?: unknown; detector?: unknown; enabled?: boolean }[], compiled: CompiledCheck[]) {
  const resolved = { checks: specs.map((s) => ({ detector: { type: 'pattern' }, ...s })) } as unknown as ResolvedPack;
  return scoreBars(resolved, [model, lexicon, ...compiled]);
}

describe('scoreBars', () => {
  it('bars a check whose when: is only model scores compared with numbers', () => {
    const bars = barsFor([{ id: 'p', when: { all: [bar('greaterThanInclusive', 0), bar('lessThan', 5)] } }, { id: 'm', when: undefined }], [check('p')]);
    expect(bars.get('p')?.bars.map((b) => [b.model.id, b.operator, b.value])).toEqual([
      ['m', 'greaterThanInclusive', 0],
      ['m', 'lessThan', 5],
    ]);
  });

  it('bars a check whose when: also holds conditions that cannot throw (allInOne over signals, numeric facts)', () => {
    const allInOne = (value: unknown, fact = 'signals', path = '$.x.posts') => ({ fact, path, operator: 'allInOne', value });
    const specs = [
      { id: 'phish', when: { all: [bar('greaterThanInclusive', 0), { any: [allInOne(['a'], 'signals', '$.phish.posts'), { all: [allInOne(['b', 'c'])] }] }, { fact: 'hits', path: '$.phish', operator: 'greaterThan', value: 1 }] } },
      { id: 'metadata', when: { all: [bar('greaterThanInclusive', 0), { fact: 'metadata', path: '$.n', operator: 'greaterThan', value: 1 }] } },
      { id: 'other-fact', when: { all: [bar('greaterThanInclusive', 0), allInOne(['a'], 'metadata')] } },
      { id: 'not-names', when: { all: [bar('greaterThanInclusive', 0), allInOne([1])] } },
      { id: 'fact-ref', when: { all: [bar('greaterThanInclusive', 0), allInOne({ fact: 'signals' })] } },
      { id: 'not', when: { all: [bar('greaterThanInclusive', 0), { not: { any: [allInOne(['a']), { not: allInOne(['b']) }] } }] } },
      { id: 'not-list', when: { all: [bar('greaterThanInclusive', 0), { not: [allInOne(['a'])] }] } },
      { id: 'not-other', when: { all: [bar('greaterThanInclusive', 0), { not: allInOne(['a'], 'metadata') }] } },
      { id: 'no-bar', when: { all: [allInOne(['a'])] } },
    ];
    expect([...barsFor(specs, specs.map((s) => check(s.id))).keys()]).toEqual(['phish', 'not']);
  });

  it('bars nothing else', () => {
    const specs = [
      { id: 'other-leaf', when: { all: [bar('greaterThanInclusive', 0), { fact: 'hits', path: '$.x', operator: 'equal', value: 1 }] } },
      { id: 'any', when: { any: [bar('greaterThanInclusive', 0)] } },
      { id: 'not-a-model', when: { all: [bar('greaterThanInclusive', 0, '$.lex')] } },
      { id: 'unknown-model', when: { all: [bar('greaterThanInclusive', 0, '$.nope')] } },
      { id: 'string-value', when: { all: [bar('greaterThanInclusive', '0')] } },
      { id: 'fact-value', when: { all: [bar('greaterThanInclusive', { fact: 'post_count' })] } },
      { id: 'params', when: { all: [{ ...bar('greaterThan', 0), params: {} }] } },
      { id: 'equal', when: { all: [bar('equal', 0)] } },
      { id: 'no-detector', detector: undefined, when: { all: [bar('greaterThan', 0)] } },
      { id: 'named', when: { all: [bar('greaterThan', 0)] } },
      // Read by a check without a detector or a bar: run on every evaluation (the-checks-that-read below).
      { id: 'reader', detector: undefined, when: { any: [{ fact: 'hits', path: '$.named', operator: 'equal', value: 1 }] } },
      { id: 'empty', when: { all: [] } },
    ];
    expect([...barsFor(specs, compiledOf(specs)).keys()]).toEqual([]);
  });
});

describe('the checks that read a barred check', () => {
  const readsX = (path: string) => ({ any: [{ fact: 'signals', path, operator: 'allInOne', value: ['a'] }] });
  const readers = (specs: { id: string; when?: unknown; detector?: unknown }[]) =>
    Object.fromEntries([...barsFor(specs, compiledOf(specs))].map(([id, { readers }]) => [id, readers.map((r) => [r.check.id, r.bars?.length ?? 0])]));

  it('are the checks whose when: names it as a whole word, each with its own bars', () => {
    const specs = [
      { id: 'x', when: { all: [bar('greaterThan', 0)] } },
      { id: 'x-more', when: { all: [bar('greaterThan', 0), readsX('$.x.posts')] } },
      { id: 'plain', when: readsX('$.x') },
      { id: 'longer', when: readsX('$.x-more.posts') },
      { id: 'prefix', when: readsX('$.a_x.posts') },
    ];
    expect(readers(specs)).toEqual({ x: [['x-more', 1], ['plain', 0]], 'x-more': [['longer', 0]] });
  });

  it('leave the check unbarred when one without a detector has no bars (it runs on every evaluation)', () => {
    const specs = [
      { id: 'x', when: { all: [bar('greaterThan', 0)] } },
      { id: 'y', when: { all: [bar('greaterThan', 0)] } },
      { id: 'always', detector: undefined, when: readsX('$.x') },
      { id: 'always-barred', detector: undefined, when: { all: [bar('greaterThan', 0), readsX('$.y')] } },
    ];
    expect(readers(specs)).toEqual({ y: [['always-barred', 1]] });
  });

  it('names: the id between characters that cannot be part of an id', () => {
    for (const [text, id, named] of [
      ['"$.violent-threat-model"', 'violent-threat', false],
      ['"$.violent-threat.posts"', 'violent-threat', true],
      ['"$.violent-threat"', 'violent-threat', true],
      ['"$.self-harm-model" "$.self-harm.posts"', 'self-harm', true],
      ['"$.a_x" "$.x9" "$.Xx"', 'x', false],
      ['x', 'x', true],
      ['', 'x', false],
    ] as const) {
      expect(names(text, id), `${text} ${id}`).toBe(named);
    }
  });
});

describe('passes', () => {
  // The bar must decide each leaf as json-rules-engine's own operator does.
  const engine = new Engine([], { allowUndefinedFacts: true, pathResolver: resolvePath });
  const operators = (engine as unknown as { operators: { get(name: string): { evaluate(a: unknown, b: unknown): unknown } } }).operators;

  it.each(['greaterThanInclusive', 'greaterThan', 'lessThanInclusive', 'lessThan'] as const)('%s', (operator) => {
    for (const score of [-2.5, -1, -0, 0, 0.5, 1, 3, Number.NaN, Infinity, -Infinity]) {
      for (const value of [-1, 0, 1]) {
        expect(passes({ model, operator, value }, score), `${score} ${operator} ${value}`).toBe(Boolean(operators.get(operator)!.evaluate(score, value)));
      }
    }
  });
});
