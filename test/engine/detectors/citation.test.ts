import { describe, it, expect } from 'vitest';
import { citationDetector, type CitationParams } from '../../../engine/detectors/citation.js';
import type { Finding } from '../../../engine/detectors/detector.js';
import { ctx, inputFor } from './inputs.js';

const input = inputFor('citation');

function detect(texts: string[], params: Omit<CitationParams, 'type'> = {}): Finding[] {
  return citationDetector.compile({ type: 'citation', ...params }, ctx).detect(input(texts));
}

const claims = (findings: Finding[]) => findings.map((f) => [f.post, f.vars?.claim]);

describe('citation: claims', () => {
  it.each([
    ['73% of marketers agree.', '73%'],
    ['Up 4.5 % this year', '4.5 %'],
    ['Over 1,000% growth', '1,000%'],
    ['Churn fell 12 percent', '12 percent'],
    ['3 out of 4 dentists', '3 out of 4'],
    ['One in five adults', 'One in five'],
    ['It is 2x more effective', '2x more'],
    ['Teams ship 3 times faster', '3 times faster'],
    ['Revenue doubled last year', 'doubled'],
    ['Studies show that sleep matters', 'Studies show'],
    ['Research proves it', 'Research proves'],
    ['A recent study found less stress', 'A recent study found'],
    ['According to experts, yes', 'According to experts'],
  ])('%s → %s', (text, claim) => {
    expect(claims(detect([text]))).toEqual([[0, claim]]);
  });

  it.each([
    ['no numbers here', 'A calm Tuesday post'],
    ['emphasis, not a statistic', "I'm 100% sure this ships today"],
    ['a plain number', 'We shipped 3 features'],
    ['a time', 'Meet at 10 in the lobby'],
  ])('%s: no claim', (_name, text) => {
    expect(detect([text])).toEqual([]);
  });

  it('reports a span, the claim and an edit', () => {
    expect(detect(['Wow: 73% of users churn'])).toEqual([
      { post: 0, span: [5, 8], match: '73%', vars: { claim: '73%' }, edit: { action: 'insert', note: 'add a source' } },
    ]);
  });
});

describe('citation: sources', () => {
  it.each([
    ['a URL', '73% of users churn https://example.com/report'],
    ['source:', '73% of users churn. Source: Pew 2023'],
    ['via @account', '73% of users churn via @pewresearch'],
    ['a footnote', '73% of users churn [1]'],
    ['an author-year reference', '73% of users churn (Smith, 2020)'],
    ['et al.', '73% of users churn (Smith et al. 2021)'],
    ['a DOI', '73% of users churn doi:10.1000/xyz123'],
    ['a named source', '73% of users churn, according to the CDC'],
  ])('%s covers a claim in the same post', (_name, text) => {
    expect(detect([text], { scope: 'post' })).toEqual([]);
  });

  it('thread scope (default): a source in the last post covers earlier claims', () => {
    expect(detect(['1/ 73% of users churn', '2/ studies show why', '3/ Sources: https://example.com'])).toEqual([]);
  });

  it('post scope: each claim needs a source in its own post', () => {
    const texts = ['1/ 73% of users churn', '2/ Sources: https://example.com'];
    expect(claims(detect(texts, { scope: 'post' }))).toEqual([[0, '73%']]);
  });

  it('uncited claims in a thread are all reported', () => {
    expect(claims(detect(['1/ 73% churn', '2/ it doubled', '3/ the end']))).toEqual([
      [0, '73%'],
      [1, 'doubled'],
    ]);
  });
});

describe('citation: custom patterns', () => {
  it('adds claim and citation patterns to the defaults', () => {
    const params = { claim_patterns: ['\\bmost people\\b'], citation_patterns: ['\\bper the\\s+\\w+ report\\b'] };
    expect(claims(detect(['Most people agree; 40% do'], params))).toEqual([
      [0, 'Most people'],
      [0, '40%'],
    ]);
    expect(detect(['Most people agree, per the annual report'], params)).toEqual([]);
  });

  it('include_defaults: false keeps only the custom patterns', () => {
    const params = { include_defaults: false, claim_patterns: ['\\bmost people\\b'], citation_patterns: ['\\bsrc='] };
    expect(claims(detect(['Most people: 40%'], params))).toEqual([[0, 'Most people']]);
    expect(detect(['Most people: 40% https://example.com'], params)).toHaveLength(1);
  });

  it('refuses a pattern RE2 cannot run in linear time', () => {
    expect(() => citationDetector.compile({ type: 'citation', claim_patterns: ['(\\d+)%\\1'] }, ctx)).toThrow(/backreferences/);
  });

  it('refuses an empty pattern list', () => {
    expect(() => citationDetector.compile({ type: 'citation', include_defaults: false }, ctx)).toThrow(/no claim patterns/);
  });
});
