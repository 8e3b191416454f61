import { beforeAll, describe, expect, it } from 'vitest';
import { loadPack, evaluate, type EngineDecision } from '../../engine/index.js';
import type { CompiledPack } from '../../engine/compile.js';

let minimal: CompiledPack;
let qa: CompiledPack;

beforeAll(async () => {
  minimal = await loadPack('test/fixtures/packs/valid/minimal');
  qa = await loadPack('rules/qa');
});

const codes = (d: EngineDecision) => [...d.violations, ...d.warnings].map((v) => v.code).sort();

describe('evaluate', () => {
  it('passes clean content and reports every check it ran', async () => {
    const d = await evaluate(minimal, { content: 'A perfectly pleasant post.' });
    expect(d.decision).toBe('PASS');
    expect(d.checks).toEqual(['mild', 'shouting', 'long-thread']);
    expect(d.violations).toEqual([]);
    expect(d.sanitized).toEqual(['A perfectly pleasant post.']);
    expect(d.policy).toEqual({ pack: 'minimal', version: '0.1.0', hash: minimal.hash });
  });

  it('fails on a block check, with a span into the original string, masked evidence and a sanitized post', async () => {
    const text = 'Well d.a.r.n it all';
    const d = await evaluate(minimal, { content: text });
    expect(d.decision).toBe('FAIL');
    expect(d.violations).toHaveLength(1);
    const v = d.violations[0]!;
    expect(v).toMatchObject({ code: 'MILD_WORD', check: 'mild', severity: 'block', post: 0, span: [5, 12] });
    expect(text.slice(...v.span!)).toBe('d.a.r.n');
    expect(v.evidence).toBe('d.*.*.n');
    expect(v.revealed_by).toContain('separators');
    expect(v.message).toBe('Post 1 says d.*.*.n.');
    expect(d.required_edits[0]).toMatchObject({ check: 'mild', action: 'replace', span: [5, 12], replacement: 'd.*.*.n' });
    expect(d.sanitized).toEqual(['Well d.*.*.n it all']);
  });

  it('keeps warn checks out of the decision', async () => {
    const d = await evaluate(minimal, { content: 'THISISLOUD but fine' });
    expect(d.decision).toBe('PASS');
    expect(d.warnings.map((w) => w.code)).toEqual(['SHOUTING']);
    expect(d.violations).toEqual([]);
  });

  it('runs raw when: rules over the facts', async () => {
    const d = await evaluate(minimal, { content: ['one', 'two', 'three', 'four'] });
    expect(d.decision).toBe('FAIL');
    expect(d.violations.map((v) => v.code)).toEqual(['THREAD_TOO_LONG']);
    const three = await evaluate(minimal, { content: ['one', 'two', 'three'] });
    expect(three.decision).toBe('PASS');
  });

  it('allow-listed words do not fire', async () => {
    expect((await evaluate(minimal, { content: 'Do not heckle the speaker' })).decision).toBe('PASS');
  });

  it('spans of a string thread point into the whole string', async () => {
    const text = '1/2 All good here.\n\n2/2 Oh heck, that again.';
    const d = await evaluate(minimal, { content: text });
    const v = d.violations[0]!;
    expect(v.post).toBe(1);
    expect(text.slice(...v.span!)).toBe('heck');
    expect(d.sanitized[1]).toContain('h**k');
  });

  it('gives every one of 200 concurrent evaluations its own sequential result', async () => {
    const inputs = Array.from({ length: 200 }, (_, i) => {
      switch (i % 4) {
        case 0: return { content: `clean post number ${i}` };
        case 1: return { content: `oh heck number ${i}` };
        case 2: return { content: ['a', 'b', 'c', `d ${i}`, 'frick'] };
        default: return { content: `LOUDLOUDLOUD and darn ${i}` };
      }
    });
    const sequential: EngineDecision[] = [];
    for (const input of inputs) sequential.push(await evaluate(minimal, input));
    const concurrent = await Promise.all(inputs.map((input) => evaluate(minimal, input)));
    expect(concurrent).toEqual(sequential);
    // The runs really differ, so a shared engine would have mixed them up.
    expect(new Set(sequential.map((d) => codes(d).join(','))).size).toBe(4);
  });

  it('the default pack: 200 concurrent evaluations equal their sequential results', async () => {
    const texts = [
      'What a lovely morning for a run.',
      'This is fucking great',
      'I will kill you',
      'DM me to win a free iPhone!!',
      ['1/3 first', '2/3 second', '4/3 third'],
      'Buy followers now, cheap followers here',
    ];
    const inputs = Array.from({ length: 200 }, (_, i) => ({ content: texts[i % texts.length]! }));
    const sequential: EngineDecision[] = [];
    for (const input of inputs) sequential.push(await evaluate(qa, input));
    const concurrent = await Promise.all(inputs.map((input) => evaluate(qa, input)));
    expect(concurrent).toEqual(sequential);
    expect(sequential.filter((d) => d.decision === 'FAIL').length).toBeGreaterThan(150);
  });
});
