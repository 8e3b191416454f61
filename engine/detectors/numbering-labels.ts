/**
 * Thread labels as the numbering check reads them: "1/", "1/5", "(1/5)", "[1/5]", "1." opening a
 * post, or closing it ("… 2/5"). Also read by posts.ts (where a thread splits) and by the text
 * models (which do not read labels as words).
 */
export const STYLES = ['slash', 'slash_total', 'paren_total', 'dot', 'bracket_total'] as const;
export type Style = (typeof STYLES)[number];

export type Position = 'start' | 'end';

export interface Label {
  style: Style;
  n: number;
  total?: number;
  span: [number, number];
  position: Position;
}

// Labels opening a post; slash, slash_total and dot need a space (or the end) after them so `1/2cup`, `3.5` are not labels.
const START_LABEL =
  /^\s*(?:\((\d{1,3})\/(\d{1,3})\)|\[(\d{1,3})\/(\d{1,3})\]|(\d{1,3})\/(\d{1,3})(?=[\s:]|$)|(\d{1,3})\/(?=\s|$)|(\d{1,3})\.(?=\s|$))/;
// Labels closing a post (`… 2/5`), matched on a short tail window; a space must precede them.
const END_LABEL = /\s(?:\((\d{1,3})\/(\d{1,3})\)|\[(\d{1,3})\/(\d{1,3})\]|(\d{1,3})\/(\d{1,3})|(\d{1,3})\/)$/;
const END_WINDOW = 12;
export const SPACE = /\s/;
// Capture-group pairs in the order of the alternatives above.
const START_STYLES: Style[] = ['paren_total', 'bracket_total', 'slash_total', 'slash', 'dot'];
const END_STYLES: Style[] = ['paren_total', 'bracket_total', 'slash_total', 'slash'];
const HAS_TOTAL: Record<Style, boolean> = { slash: false, slash_total: true, paren_total: true, dot: false, bracket_total: true };

export function formatLabel(style: Style, n: number, total: number): string {
  switch (style) {
    case 'slash':
      return `${n}/`;
    case 'slash_total':
      return `${n}/${total}`;
    case 'paren_total':
      return `(${n}/${total})`;
    case 'bracket_total':
      return `[${n}/${total}]`;
    case 'dot':
      return `${n}.`;
  }
}

/** Turns a match of START_LABEL/END_LABEL into a label; `styles` maps each alternative to its style. */
function toLabel(m: RegExpExecArray, styles: Style[], base: number, position: Position): Label | undefined {
  for (let alt = 0, group = 1; alt < styles.length; alt++) {
    const style = styles[alt]!;
    const width = HAS_TOTAL[style] ? 2 : 1;
    const first = m[group];
    if (first !== undefined) {
      const total = HAS_TOTAL[style] ? Number(m[group + 1]) : undefined;
      const end = base + m.index + m[0].length;
      const start = end - m[0].trimStart().length;
      return { style, n: Number(first), total, span: [start, end], position };
    }
    group += width;
  }
  return undefined;
}

export function trimmedEnd(text: string): number {
  let end = text.length;
  while (end > 0 && SPACE.test(text[end - 1]!)) end--;
  return end;
}

/** Whether a text opens with a thread label in any style (posts.ts splits threads on this). */
export function opensWithThreadLabel(text: string): boolean {
  return START_LABEL.test(text);
}

/** Where a text's thread labels are, as this check reads them: its opening label, its closing one, or both. */
export function threadLabelSpans(text: string): [number, number][] {
  const start = startLabel(text);
  const end = endLabel(text);
  const spans: [number, number][] = start ? [start.span] : [];
  if (end && (!start || end.span[0] >= start.span[1])) spans.push(end.span);
  return spans;
}

export function startLabel(text: string): Label | undefined {
  const m = START_LABEL.exec(text);
  return m ? toLabel(m, START_STYLES, 0, 'start') : undefined;
}

export function endLabel(text: string): Label | undefined {
  const end = trimmedEnd(text);
  const base = Math.max(0, end - END_WINDOW);
  const m = END_LABEL.exec(text.slice(base, end));
  const label = m ? toLabel(m, END_STYLES, base, 'end') : undefined;
  // `open 24/7` is not a label: a closing label never numbers past its total.
  return label && label.n >= 1 && (label.total === undefined || label.n <= label.total) ? label : undefined;
}
