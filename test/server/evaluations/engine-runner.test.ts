/**
 * The inline engine runner (server/evaluations/engine-runner.ts): evaluations asked for in one
 * turn of the event loop run back to back in one batch, in order, each with its own outcome; a
 * batch yields the loop after its time slice; a later turn starts another batch; the request's
 * budget still holds.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate, loadPack, type CompiledPack, type EngineDecision, type EvaluationInput } from '../../../engine/index.js';
import { AppError } from '../../../server/errors.js';
import { inBatches, inlineRunner } from '../../../server/evaluations/engine-runner.js';

const MINIMAL = path.resolve(import.meta.dirname, '../../fixtures/packs/valid/minimal');
let pack: CompiledPack;

beforeAll(async () => {
  pack = await loadPack(MINIMAL);
});

/** The real engine, with a log of what ran: each evaluation, and each microtask it queued. */
function logged(log: string[]) {
  return (p: CompiledPack, input: EvaluationInput): Promise<EngineDecision> => {
    const name = String(input.content);
    log.push(`evaluate ${name}`);
    // Runs at the first await after this evaluation: before the next one unless they run in one batch.
    queueMicrotask(() => log.push(`after ${name}`));
    return evaluate(p, input);
  };
}

describe('inBatches', () => {
  it('runs the evaluations asked for in one turn back to back, in order, at its end, each with its own decision', async () => {
    const log: string[] = [];
    // A slice no evaluation reaches: this test is about order (the slice has its own, on a clock of its own).
    // With the default 10 ms, a first evaluation on a loaded CI machine ended the batch early.
    const run = inBatches(logged(log), 60_000);
    const asked = ['darn it', 'fine', 'oh darn'].map((content) => run(pack, { content }));
    expect(log).toEqual([]); // nothing runs in the turn that asked
    const decided = await Promise.all(asked);
    expect(log).toEqual(['evaluate darn it', 'evaluate fine', 'evaluate oh darn', 'after darn it', 'after fine', 'after oh darn']);
    for (const [i, content] of ['darn it', 'fine', 'oh darn'].entries()) expect(decided[i]).toEqual(await evaluate(pack, { content }));
    expect(decided.map((d) => d.decision)).toEqual(['FAIL', 'PASS', 'FAIL']);
  });

  it('starts a new batch in a later turn', async () => {
    const log: string[] = [];
    const run = inBatches(logged(log), 60_000);
    const first = run(pack, { content: 'one' });
    await new Promise((resolve) => setImmediate(resolve));
    const second = run(pack, { content: 'two' });
    await Promise.all([first, second]);
    expect(log).toEqual(['evaluate one', 'after one', 'evaluate two', 'after two']);
  });

  it('leaves the rest of a batch to the next turn once it has run for its time slice, in order', async () => {
    const log: string[] = [];
    // Each evaluation takes 4 ms of a clock of the test's own; the slice is 10 ms: three run, then the loop turns.
    let clock = 0;
    const slow = (p: CompiledPack, input: EvaluationInput): Promise<EngineDecision> => {
      log.push(`evaluate ${String(input.content)}`);
      clock += 4;
      return evaluate(p, input);
    };
    const run = inBatches(slow, 10, () => clock);
    const asked = ['a', 'b', 'c', 'd', 'e', 'f'].map((content) => run(pack, { content }));
    setImmediate(() => log.push('another callback of the loop'));
    await Promise.all(asked);
    expect(log).toEqual(['evaluate a', 'evaluate b', 'evaluate c', 'another callback of the loop', 'evaluate d', 'evaluate e', 'evaluate f']);
  });

  it("keeps a failure to its own evaluation, thrown or rejected: the rest of the batch is decided", async () => {
    const failing = (p: CompiledPack, input: EvaluationInput): Promise<EngineDecision> => {
      if (input.content === 'throws') throw new Error('thrown');
      if (input.content === 'rejects') return Promise.reject(new Error('rejected'));
      return evaluate(p, input);
    };
    const run = inBatches(failing);
    const outcomes = await Promise.allSettled(['throws', 'darn', 'rejects', 'fine'].map((content) => run(pack, { content })));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : (o.value as EngineDecision).decision))).toEqual(['thrown', 'FAIL', 'rejected', 'PASS']);
  });
});

describe('inlineRunner', () => {
  it('answers EVALUATION_TIMEOUT once the budget is spent, counted from when the request arrived', async () => {
    // An engine that takes 100 ms, for a request with a 1 s budget that arrived 950 ms ago.
    const slow = (p: CompiledPack, input: EvaluationInput) => new Promise<EngineDecision>((resolve) => setTimeout(() => resolve(evaluate(p, input)), 100));
    const late = await inlineRunner(slow)
      .run(pack, { content: 'fine' }, 1_000, performance.now() - 950)
      .catch((error: unknown) => error);
    expect(late).toBeInstanceOf(AppError);
    expect((late as AppError).code).toBe('EVALUATION_TIMEOUT');
    // The same engine within its budget answers.
    expect(await inlineRunner(slow).run(pack, { content: 'oh darn' }, 1_000)).toEqual(await evaluate(pack, { content: 'oh darn' }));
  });
});
