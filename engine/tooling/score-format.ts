/** `gatehouse score` output: a text table for a terminal, Markdown for a pull request, or JSON. */
import { fmt, pct, type ItemOutcome, type Rates, type ScoreReport } from './score.js';

export type ScoreFormat = 'text' | 'markdown' | 'json';

export interface FormatOptions {
  /** Leave out the items (misses and false positives): for a test split, look at numbers only. */
  summary?: boolean;
}

export function formatScore(report: ScoreReport, format: ScoreFormat, options: FormatOptions = {}): string {
  if (format === 'json') {
    const { misses, false_positives, ...rest } = report;
    return JSON.stringify(options.summary ? rest : report, null, 2);
  }
  const md = format === 'markdown';
  const out: string[] = [];
  out.push(`${md ? '### ' : ''}gatehouse score: ${report.pack.id}@${report.pack.version} on ${report.items} items`);
  out.push('');
  out.push(...table(md, 'label', report.labels, true));
  out.push('');
  out.push(...table(md, 'family', report.families, false));
  if (report.undeclared.length > 0) {
    out.push('', `labels no check declares (always missed): ${report.undeclared.join(', ')}`);
  }
  if (!options.summary) {
    out.push('', ...items(md, `misses (${report.misses.length})`, report.misses));
    out.push('', ...items(md, `false positives (${report.false_positives.length})`, report.false_positives));
  }
  return out.join('\n');
}

function table(md: boolean, name: string, rows: Record<string, Rates>, full: boolean): string[] {
  const head = full
    ? [name, 'items', 'pos', 'neg', 'recall', 'fp rate', 'precision', 'TP', 'FN', 'FP', 'TN']
    : [name, 'pos', 'neg', 'recall', 'fp rate', 'FN', 'FP'];
  const body = Object.entries(rows).map(([key, r]) =>
    full
      ? [key, String(r.positives + r.negatives), String(r.positives), String(r.negatives), fmt(r.recall), pct(r.fp_rate), fmt(r.precision), String(r.tp), String(r.fn), String(r.fp), String(r.tn)]
      : [key, String(r.positives), String(r.negatives), fmt(r.recall), pct(r.fp_rate), String(r.fn), String(r.fp)],
  );
  if (md) {
    return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)];
  }
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), ...body.map(line)];
}

function items(md: boolean, title: string, list: ItemOutcome[]): string[] {
  const out = [md ? `#### ${title}` : `${title}:`];
  for (const o of list) {
    const fired = o.fired.map((f) => `${f.code}${f.rule ? ` (${f.rule})` : ''}${f.evidence ? ` "${f.evidence}"` : ''}`).join(', ');
    const guards = o.suppressed.map((s) => `${s.rule} suppressed by ${s.guard}`).join(', ');
    const why = [fired && `fired: ${fired}`, guards, o.codes.length > 0 && !fired ? `codes: ${o.codes.join(', ')}` : ''].filter(Boolean).join('; ');
    out.push(`${md ? '- ' : '  '}${o.id} [${o.label}${o.family ? ` · ${o.family}` : ''}] ${JSON.stringify(o.excerpt)}${why ? ` — ${why}` : ''}`);
  }
  return out;
}
