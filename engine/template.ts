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

/** Unknown names render as themselves in braces, so a typo shows instead of vanishing. */
export function render(template: Template, vars: Readonly<Record<string, string | number | undefined>>): string {
  let out = '';
  for (const part of template) {
    if (typeof part === 'string') out += part;
    else out += vars[part.v] ?? `{{${part.v}}}`;
  }
  return out;
}
