import { Type, type Static } from '@sinclair/typebox';
import type { CompiledDetector, DetectorType, Finding, Post } from './detector.js';
import { endLabel, formatLabel, SPACE, startLabel, STYLES, trimmedEnd, type Label, type Position, type Style } from './numbering-labels.js';

export const numberingParams = Type.Object(
  {
    type: Type.Literal('numbering'),
    styles: Type.Optional(
      Type.Array(Type.Unsafe<Style>({ type: 'string', enum: [...STYLES] }), {
        minItems: 1,
        uniqueItems: true,
        description:
          'Label styles that count as thread numbering: slash `1/`, slash_total `1/5`, paren_total `(1/5)`, ' +
          'dot `1.`, bracket_total `[1/5]`. Default: all five. The first one is used to label a thread that has ' +
          'no labels yet (default: slash_total).',
      }),
    ),
    require_in_threads: Type.Optional(
      Type.Boolean({ default: false, description: 'Require labels on every post of a thread of 2+ posts. Default: false.' }),
    ),
  },
  { additionalProperties: false },
);
export type NumberingParams = Static<typeof numberingParams>;

interface Thread {
  labels: (Label | undefined)[];
  position: Position;
  style: Style;
  total: number;
}

/** Picks each post's label: at the thread's dominant end, or a closing one that agrees with the thread's total. */
function readThread(posts: Post[], allowed: ReadonlySet<Style>, fallbackStyle: Style): Thread {
  const allow = (l: Label | undefined) => (l && allowed.has(l.style) ? l : undefined);
  const starts = posts.map((p) => allow(startLabel(p.text)));
  const ends = posts.map((p) => allow(endLabel(p.text)));
  const position: Position = count(starts) >= count(ends) ? 'start' : 'end';
  const total = posts.length;
  const labels = posts.map((_, i) => {
    if (position === 'end') return ends[i] ?? starts[i];
    const closing = ends[i];
    return starts[i] ?? (closing && closing.total === total ? closing : undefined);
  });
  return { labels, position, style: dominantStyle(labels) ?? fallbackStyle, total };
}

function count(labels: (Label | undefined)[]): number {
  return labels.reduce((n, l) => (l ? n + 1 : n), 0);
}

/** The most used style; on a tie, the one seen first (a Map keeps insertion order). */
function dominantStyle(labels: (Label | undefined)[]): Style | undefined {
  const tally = new Map<Style, number>();
  for (const l of labels) if (l) tally.set(l.style, (tally.get(l.style) ?? 0) + 1);
  let best: Style | undefined;
  for (const [style, n] of tally) if (best === undefined || n > tally.get(best)!) best = style;
  return best;
}

/** Every problem of one label, most specific first. */
function problemsOf(thread: Thread, i: number): string[] {
  const { labels, style, total } = thread;
  const label = labels[i]!;
  const problems: string[] = [];
  if (label.n !== i + 1) problems.push(numberProblem(labels, i));
  if (label.total !== undefined && label.total !== total) problems.push('wrong_total');
  if (label.style !== style) problems.push('mixed_styles');
  return problems;
}

function numberProblem(labels: (Label | undefined)[], i: number): string {
  const n = labels[i]!.n;
  if (labels.some((l, j) => j !== i && l?.n === n)) return 'duplicate';
  let prev: Label | undefined;
  for (let j = i - 1; j >= 0 && !prev; j--) prev = labels[j];
  const next = labels.slice(i + 1).find((l) => l !== undefined);
  if ((prev && prev.n >= n) || (next && next.n <= n)) return 'out_of_order';
  return n > i + 1 ? 'gap' : 'wrong_number';
}

function labelFinding(post: Post, label: Label, expected: string, problems: string[]): Finding {
  const found = post.text.slice(label.span[0], label.span[1]);
  return {
    post: post.index,
    span: label.span,
    match: found,
    vars: { found, expected, problem: problems[0]!, problems: problems.join(',') },
    edit: { action: 'replace', span: label.span, replacement: expected },
    autofix: true,
  };
}

function missingFinding(post: Post, expected: string, position: Position): Finding {
  const end = trimmedEnd(post.text);
  const edit =
    position === 'start'
      ? { action: 'insert' as const, span: [0, 0] as [number, number], replacement: `${expected} ` }
      : { action: 'insert' as const, span: [end, end] as [number, number], replacement: ` ${expected}` };
  return { post: post.index, vars: { found: '', expected, problem: 'missing', problems: 'missing' }, edit, autofix: true };
}

function threadFindings(posts: Post[], thread: Thread, required: boolean): Finding[] {
  const labelled = count(thread.labels);
  // A thread is numbered once two posts carry labels, or its opener does (`1/ …` then nothing).
  const opener = thread.labels[0];
  const numbered = labelled >= 2 || (opener !== undefined && opener.position === 'start' && opener.style !== 'dot');
  if (!numbered && !(required && labelled === 0)) return [];
  const findings: Finding[] = [];
  posts.forEach((post, i) => {
    const expected = formatLabel(thread.style, i + 1, thread.total);
    const label = thread.labels[i];
    if (!label) {
      findings.push(missingFinding(post, expected, thread.position));
      return;
    }
    const problems = problemsOf(thread, i);
    if (problems.length > 0) findings.push(labelFinding(post, label, expected, problems));
  });
  return findings;
}

/**
 * One post: an opening `1/`, `1/5`, `(2/5)`, `[1/5]` promises a thread that is not there.
 * `1/1` (or `(1/1)`, `[1/1]`) is accurate and is accepted; `1.` is list numbering and ignored.
 * Not autofixed: `1/2 cup …` looks like a label too, so a person decides.
 */
function singlePostFindings(post: Post, allowed: ReadonlySet<Style>): Finding[] {
  const label = startLabel(post.text);
  if (!label || label.style === 'dot' || !allowed.has(label.style)) return [];
  if (label.n === 1 && label.total === 1) return [];
  const problem = label.total !== undefined && label.total !== 1 ? 'wrong_total' : label.n !== 1 ? 'wrong_number' : 'single_post';
  const found = post.text.slice(label.span[0], label.span[1]);
  let end = label.span[1];
  while (end < post.text.length && SPACE.test(post.text[end]!)) end++;
  return [
    {
      post: post.index,
      span: label.span,
      match: found,
      vars: { found, expected: '', problem, problems: problem },
      edit: { action: 'delete', span: [label.span[0], end], note: 'a single post needs no thread label' },
      autofix: false,
    },
  ];
}

export const numberingDetector: DetectorType<NumberingParams> = {
  type: 'numbering',
  vars: ['found', 'expected', 'problem', 'problems'],
  compile(params): CompiledDetector {
    const styles = params.styles ?? [...STYLES];
    for (const s of styles) {
      if (!STYLES.includes(s)) throw new Error(`numbering: unknown style "${String(s)}" (use ${STYLES.join(', ')})`);
    }
    const allowed: ReadonlySet<Style> = new Set(styles);
    const fallbackStyle: Style = params.styles?.[0] ?? 'slash_total';
    const required = params.require_in_threads ?? false;
    return {
      detect({ posts }) {
        if (posts.length === 0) return [];
        if (posts.length === 1) return singlePostFindings(posts[0]!, allowed);
        return threadFindings(posts, readThread(posts, allowed, fallbackStyle), required);
      },
    };
  },
};
