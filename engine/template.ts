/**
 * `{{name}}` templates for messages and fixes, split once at compile time so
 * that rendering is a join over parts.
 */
export type Template = readonly (string | { v: string })[];

const PLACEHOLDER = /\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/gi;

export function compileTemplate(source: string): Template {
  const parts: (string | { v: string })[] = [];
  let last = 0;
  for (const match of source.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push(source.slice(last, match.index));
    parts.push({ v: match[1]! });
    last = match.index + match[0].length;
  }
  if (last < source.length) parts.push(source.slice(last));
  return parts;
}

/** A template variable's value by name; undefined when nothing provides it. */
export type TemplateVars = (name: string) => string | number | undefined;

/** Unknown names render as themselves in braces, so a typo shows instead of vanishing. */
export function render(template: Template, vars: TemplateVars): string {
  let out = '';
  for (const part of template) {
    if (typeof part === 'string') out += part;
    else out += vars(part.v) ?? `{{${part.v}}}`;
  }
  return out;
}

/** Variables every violation offers, whatever its detector (engine/evaluate.ts). */
export const COMMON_VARS = ['post', 'post_number', 'evidence', 'check', 'code'] as const;

/** A template names a variable that nothing provides; `field` is where it is (`message`). */
export class TemplateError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Throws a TemplateError naming every unknown variable, so a typo (`{{evidnce}}`) fails `check`, not a user. */
export function checkTemplate(field: string, template: Template, known: readonly string[]): void {
  const unknown = [...new Set(template.flatMap((part) => (typeof part === 'string' || known.includes(part.v) ? [] : [part.v])))];
  if (unknown.length === 0) return;
  throw new TemplateError(
    field,
    `unknown template variable${unknown.length > 1 ? 's' : ''} ${unknown.map((v) => `{{${v}}}`).join(', ')}; ` +
      `this check provides ${known.map((v) => `{{${v}}}`).join(', ')}`,
  );
}
