/** Plain-text tables and number formatting for the benchmark output. */

export type Cell = string | number;

/** Columns are right-aligned except the first `leftColumns`. */
export function table(title: string, headers: string[], rows: Cell[][], leftColumns = 1): string {
  const text = rows.map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [title, '', line(headers), rule, ...text.map(line), ''].join('\n');
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** µs with precision that suits the magnitude. */
export function us(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return grouped.format(value);
}

export function int(value: number): string {
  return Number.isFinite(value) ? grouped.format(value) : '—';
}

export function ratio(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)}×`;
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : grouped.format(value);
}

export function mib(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(1)}` : '—';
}

export function percent(value: number): string {
  return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(0)} %`;
}
