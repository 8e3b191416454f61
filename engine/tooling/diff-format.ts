/** The diff report as a Markdown table for a pull request comment. */
import type { CodeChange, DiffReport, ItemChange } from './diff.js';

export interface MarkdownOptions {
  /** Item rows shown before "… and N more". @defaultValue 50 (a PR comment holds at most 65,536 characters) */
  maxRows?: number;
}

/** A table a reviewer pastes into the pull request (GitHub-flavoured markdown). */
export function renderMarkdown(report: DiffReport, opts: MarkdownOptions = {}): string {
  const maxRows = opts.maxRows ?? 50;
  const lines = [
    `### Policy impact: \`${report.old.id}@${report.old.version}\` → \`${report.new.id}@${report.new.version}\``,
    '',
    '| | old | new |',
    '|---|---|---|',
    `| source | ${code(report.old.source)} | ${code(report.new.source)} |`,
    `| pack | ${code(`${report.old.id}@${report.old.version}`)} | ${code(`${report.new.id}@${report.new.version}`)} |`,
    `| hash | ${code(shortHash(report.old.hash))} | ${code(shortHash(report.new.hash))} |`,
    '',
    summaryLine(report),
    ...report.notes.map((note) => `\n> **Note:** ${note}`),
  ];
  if (report.changes.length === 0) return `${lines.join('\n')}\n`;
  lines.push('', '#### By code', '', '| code | gained | lost | severity changed | PASS→FAIL | FAIL→PASS | checks | items |', '|---|--:|--:|--:|--:|--:|---|---|');
  for (const s of report.by_code) {
    lines.push(`| ${code(s.code)} | ${s.gained} | ${s.lost} | ${s.severity_changed} | ${s.pass_to_fail} | ${s.fail_to_pass} | ${s.checks.map(code).join(', ')} | ${s.examples.map(code).join(', ')} |`);
  }
  lines.push('', '#### Items', '', '| item | decision | codes | checks | example (masked) |', '|---|---|---|---|---|');
  for (const c of report.changes.slice(0, maxRows)) {
    lines.push(`| ${code(c.id)} | ${decisionCell(c)} | ${c.codes.map(codeCell).join(', ')} | ${c.checks.map(code).join(', ')} | ${code(c.example)} |`);
  }
  const hidden = report.changes.length - maxRows;
  if (hidden > 0) lines.push('', `… and ${hidden} more item(s); run with \`--format json\` for all of them.`);
  return `${lines.join('\n')}\n`;
}

function summaryLine(report: DiffReport): string {
  const s = report.summary;
  const size = `${report.corpus.size} corpus item${report.corpus.size === 1 ? '' : 's'}${report.corpus.source ? ` (${code(report.corpus.source)})` : ''}`;
  const same = report.identical ? ' The two packs have the same hash.' : '';
  if (s.changed_items === 0) return `**No decision or code changes** over ${size}.${same}`;
  return (
    `**${s.flips} decision${s.flips === 1 ? '' : 's'} flip** over ${size}: ` +
    `${s.pass_to_fail} PASS → FAIL, ${s.fail_to_pass} FAIL → PASS; ` +
    `${s.codes_only} more item${s.codes_only === 1 ? '' : 's'} change codes only.${same}`
  );
}

/** Enough of the hash to tell versions apart in a comment; the JSON report has it whole. */
function shortHash(hash: string): string {
  return hash.replace(/^(sha256:[0-9a-f]{16})[0-9a-f]+$/, '$1…');
}

function decisionCell(c: ItemChange): string {
  if (!c.flip) return `${c.old} (unchanged)`;
  return `${c.old} → **${c.new}**`;
}

function codeCell(c: CodeChange): string {
  if (c.change === 'gained') return `+${c.code}${c.new === 'warn' ? ' (warn)' : ''}`;
  if (c.change === 'lost') return `−${c.code}${c.old === 'warn' ? ' (warn)' : ''}`;
  return `${c.code} ${c.old}→${c.new}`;
}

/**
 * Inline code keeps user text from rendering as markdown, links or @mentions.
 * A `|` must still be escaped inside a table cell; backticks cannot be, so they become quotes.
 */
function code(text: string): string {
  return `\`${text.replace(/`/g, "'").replace(/\|/g, '\\|') || ' '}\``;
}
