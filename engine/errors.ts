/** A problem found in a rule pack, located as precisely as we can. */
export interface PackIssue {
  /** File the problem is in, as given to the loader (relative paths stay relative). */
  file?: string;
  line?: number;
  column?: number;
  /** Path inside the document, e.g. `checks[2].severity`. */
  path?: string;
  message: string;
}

/** `rules/qa/pack.yaml:14:5 checks[2].severity: must be one of block, warn` */
export function formatIssue(issue: PackIssue): string {
  const where = [issue.file, issue.line, issue.column].filter((part) => part !== undefined).join(':');
  const path = issue.path ? `${issue.path}: ` : '';
  return `${where}${where ? ' ' : ''}${path}${issue.message}`;
}

/** Thrown when a pack cannot be loaded or compiled; carries every issue found. */
export class PackError extends Error {
  readonly issues: PackIssue[];
  readonly code = 'PACK_INVALID';

  constructor(issues: PackIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'PackError';
    this.issues = issues;
  }
}

/** `['checks', 2, 'severity']` → `checks[2].severity` */
export function formatPath(path: readonly (string | number)[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}
