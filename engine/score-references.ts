/**
 * A pack's `scores` conditions checked against its classifier checks at compile time.
 */
import type { PackIssue } from './errors.js';
import type { ResolvedPack } from './pack-schema.js';

/**
 * `scores` conditions that name no enabled classifier check of the pack: the fact would be
 * missing, the condition always false, and the check silently never fire (a check copied into
 * a pack without its model, a typo in the id).
 */
export function unknownScores(resolved: ResolvedPack): PackIssue[] {
  const classifiers = new Set(resolved.checks.filter((c) => c.enabled !== false && c.detector?.type === 'classifier').map((c) => c.id));
  const issues: PackIssue[] = [];
  const walk = (node: unknown, at: string): void => {
    if (Array.isArray(node)) return node.forEach((child, i) => walk(child, `${at}[${i}]`));
    if (!node || typeof node !== 'object') return;
    const { fact, path } = node as { fact?: unknown; path?: unknown };
    if (fact === 'scores') {
      const id = typeof path === 'string' ? /^\$\.([\w-]+)$/.exec(path)?.[1] : undefined;
      if (id === undefined || !classifiers.has(id)) {
        issues.push({
          path: at,
          message:
            `reads the scores fact at ${JSON.stringify(path)}, which names no enabled classifier check of this pack ` +
            `(${classifiers.size > 0 ? [...classifiers].join(', ') : 'it has none'}): the condition could never hold`,
        });
      }
      return;
    }
    for (const [key, value] of Object.entries(node)) if (key === 'all' || key === 'any' || key === 'not') walk(value, `${at}.${key}`);
  };
  resolved.checks.forEach((spec, index) => {
    if (spec.enabled !== false && spec.when) walk(spec.when, `checks[${index}].when`);
  });
  return issues;
}
