/**
 * The automaton drops its build-time graph once packed: the words a pattern can begin with are
 * read from the packed edges, and must be those the graph's Maps gave.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Automaton } from '../../../engine/phrases/automaton.js';
import { ACCEPT, ANY, DISPATCH, NOP, PatternGraph, SPLIT, type LeafResolver } from '../../../engine/phrases/pattern-graph.js';
import type { PatternNode } from '../../../engine/phrases/pattern.js';

/** Words are w0…w5 (ids 0–5); slot S holds single words and runs of two or three. */
const SLOT = [[1], [2, 3], [2, 4], [5, 0, 1], [3]];
const resolve: LeafResolver = (node) => (node.kind === 'slot' ? SLOT : node.words.map((w) => [Number(w.slice(1))]));

const pattern: fc.Arbitrary<PatternNode> = fc.letrec<{ node: PatternNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.array(fc.constantFrom('w0', 'w1', 'w2', 'w3', 'w4', 'w5'), { minLength: 1, maxLength: 3 }).map((words): PatternNode => ({ kind: 'word', words, inflect: false })),
    fc.constant<PatternNode>({ kind: 'slot', name: 'S' }),
    fc.constant<PatternNode>({ kind: 'any' }),
    fc.integer({ min: 1, max: 3 }).map((max): PatternNode => ({ kind: 'gap', max })),
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((items): PatternNode => ({ kind: 'seq', items })),
    fc.array(tie('node'), { minLength: 1, maxLength: 4 }).map((options): PatternNode => ({ kind: 'alt', options })),
    tie('node').map((node): PatternNode => ({ kind: 'opt', node })),
  ),
})).node;

/** The first words as the graph gave them before this change: the epsilon closure of `start`, and each DISPATCH state's Map keys. */
function firstWordsFromGraph(graph: PatternGraph, table: Int32Array, start: number): number[] | null {
  const out = new Set<number>();
  const seen = new Set<number>();
  const stack = [start];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    const kind = table[3 * s];
    if (kind === SPLIT) stack.push(table[3 * s + 2]!, table[3 * s + 1]!);
    else if (kind === NOP) stack.push(table[3 * s + 1]!);
    else if (kind === ANY || kind === ACCEPT) return null;
    else if (kind === DISPATCH) for (const id of graph.maps[s]!.keys()) out.add(id);
  }
  return [...out].sort((a, b) => a - b);
}

describe('Automaton', () => {
  it('answers the words a pattern can begin with from its packed edges, as the graph did', () => {
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 1, maxLength: 6 }), (patterns) => {
        const graph = new PatternGraph();
        const automaton = new Automaton();
        const starts = patterns.map((p, tag) => {
          const start = graph.add(p, resolve, tag);
          expect(automaton.add(p, resolve, tag)).toBe(start);
          return start;
        });
        const { table } = graph.pack();
        for (const start of starts) {
          const got = automaton.firstWordsOf(start);
          expect(got && [...got].sort((a, b) => a - b)).toEqual(firstWordsFromGraph(graph, table, start));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('takes no pattern once packed (the graph is gone)', () => {
    const automaton = new Automaton();
    const start = automaton.add({ kind: 'word', words: ['w1'], inflect: false }, resolve);
    expect([...automaton.firstWordsOf(start)!]).toEqual([1]);
    expect(() => automaton.add({ kind: 'word', words: ['w2'], inflect: false }, resolve)).toThrow(/after the automaton was packed/);
  });

  it('matches as before once its generations have passed 2^30 (they start over, no Int32 mark wraps)', () => {
    const automaton = new Automaton();
    // w1 w2? w3, with a gap: a closure over SPLIT states, where a wrapped mark would add a state twice.
    const p: PatternNode = { kind: 'seq', items: [{ kind: 'word', words: ['w1'], inflect: false }, { kind: 'gap', max: 2 }, { kind: 'word', words: ['w3'], inflect: false }] };
    const start = automaton.add(p, resolve, 7);
    const ids = [[1], [2], [3], [1], [3]];
    const scan = () => automaton.scan(ids, 0, ids.length, Int32Array.from([0, start, 3, start]), 4);
    const fresh = scan();
    expect(fresh.length).toBeGreaterThan(0);
    (automaton as unknown as { generation: number }).generation = 2 ** 31 - 3;
    expect(scan()).toEqual(fresh);
    expect((automaton as unknown as { generation: number }).generation).toBeLessThan(2 ** 30);
  });
});
