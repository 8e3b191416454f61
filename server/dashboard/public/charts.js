// Three small charts drawn as inline SVG: no library, no network. Each chart is drawn
// for the pixel width of its container (text stays legible on a phone) and carries a
// <title> and <desc> so that a screen reader gets the figures, not just a picture.

const NS = 'http://www.w3.org/2000/svg';
const PAD = { top: 14, right: 44, bottom: 34, left: 40 };

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined && value !== null) el.setAttribute(name, String(value));
  for (const child of children) if (child !== null && child !== undefined) el.append(child instanceof Node ? child : String(child));
  return el;
}

function frame(width, height, title, desc) {
  const id = `c${Math.random().toString(36).slice(2, 8)}`;
  return s(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-labelledby': `${id}-t ${id}-d`, class: 'chart-svg' },
    s('title', { id: `${id}-t` }, title),
    s('desc', { id: `${id}-d` }, desc),
  );
}

/** A "nice" axis maximum: 1, 2 or 5 times a power of ten, at least `value`. */
export function niceMax(value) {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((m) => m >= value);
}

function gridY(svg, { x0, x1, y, label, cls = 'grid' }) {
  svg.append(s('line', { x1: x0, x2: x1, y1: y, y2: y, class: cls }));
  if (label !== undefined) svg.append(s('text', { x: x0 - 6, y: y + 4, class: 'axis-label', 'text-anchor': 'end' }, label));
}

/**
 * Decisions per time bucket as stacked bars (PASS, FAIL, SKIPPED) and the rejection rate
 * as a line on a 0–100 % right-hand axis. points: [{ start, pass, fail, skipped, rejection_rate }].
 */
export function decisionsChart(points, width, height = 220) {
  const total = points.reduce((n, p) => n + p.pass + p.fail + p.skipped, 0);
  const svg = frame(width, height, 'Decisions and rejection rate over time', `${total} decisions in ${points.length} time buckets; bars are PASS, FAIL and SKIPPED counts, the line is the rejection rate.`);
  const plot = { x0: PAD.left, x1: width - PAD.right, y0: height - PAD.bottom, y1: PAD.top };
  const max = niceMax(Math.max(...points.map((p) => p.pass + p.fail + p.skipped), 0));
  const y = (v) => plot.y0 - (v / max) * (plot.y0 - plot.y1);
  const yRate = (r) => plot.y0 - r * (plot.y0 - plot.y1);
  for (const v of [0, max / 2, max]) gridY(svg, { ...plot, y: y(v), label: formatCount(v) });
  for (const r of [0, 0.5, 1]) svg.append(s('text', { x: plot.x1 + 6, y: yRate(r) + 4, class: 'axis-label' }, `${r * 100}%`));
  const step = (plot.x1 - plot.x0) / Math.max(points.length, 1);
  const barWidth = Math.max(1, step * 0.7);
  points.forEach((p, i) => stackedBar(svg, { x: plot.x0 + i * step + (step - barWidth) / 2, width: barWidth, y, point: p }));
  svg.append(rateLine(points, { x: (i) => plot.x0 + i * step + step / 2, y: yRate }));
  timeLabels(svg, points, { x: (i) => plot.x0 + i * step + step / 2, y: plot.y0 + 16, width: plot.x1 - plot.x0 });
  return svg;
}

function stackedBar(svg, { x, width, y, point }) {
  let base = 0;
  for (const [key, cls] of [['pass', 'bar-pass'], ['fail', 'bar-fail'], ['skipped', 'bar-skipped']]) {
    const n = point[key];
    if (n <= 0) continue;
    const top = y(base + n);
    svg.append(s('rect', { x, width, y: top, height: Math.max(1, y(base) - top), class: cls }, s('title', {}, `${n} ${key.toUpperCase()} from ${new Date(point.start).toLocaleString()}`)));
    base += n;
  }
}

function rateLine(points, { x, y }) {
  const group = s('g', { class: 'rate' });
  let d = '';
  points.forEach((p, i) => {
    if (p.rejection_rate === null) return;
    d += `${d === '' || points[i - 1]?.rejection_rate === null ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.rejection_rate).toFixed(1)}`;
    group.append(s('circle', { cx: x(i), cy: y(p.rejection_rate), r: 2.5, class: 'rate-dot' }, s('title', {}, `rejection rate ${(p.rejection_rate * 100).toFixed(1)} %`)));
  });
  group.prepend(s('path', { d, class: 'rate-line' }));
  return group;
}

function timeLabels(svg, points, { x, y, width }) {
  const span = points.length > 1 ? Date.parse(points.at(-1).start) - Date.parse(points[0].start) : 0;
  const withDay = span >= 86_400_000;
  const every = Math.max(1, Math.ceil(points.length / Math.max(2, Math.floor(width / (withDay ? 90 : 60)))));
  points.forEach((p, i) => {
    if (i % every !== 0) return;
    svg.append(s('text', { x: x(i), y, class: 'axis-label', 'text-anchor': i === 0 ? 'start' : 'middle' }, timeLabel(new Date(p.start), withDay)));
  });
}

/** 14:00, or Tue 14:00 when the axis spans days. */
function timeLabel(d, withDay) {
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  return withDay ? `${d.toLocaleDateString(undefined, { weekday: 'short' })} ${hm}` : hm;
}

/**
 * Latency histogram (buckets [from_ms, to_ms)) with the p50, p90 and p99 marked where
 * they fall, interpolated on a log scale inside their bucket.
 */
export function latencyChart(latency, width, height = 220) {
  const buckets = latency.histogram;
  const desc = `${latency.count} decisions; p50 ${latency.p50 ?? '—'} ms, p90 ${latency.p90 ?? '—'} ms, p99 ${latency.p99 ?? '—'} ms.`;
  const svg = frame(width, height, 'Latency distribution', desc);
  const plot = { x0: PAD.left, x1: width - 12, y0: height - PAD.bottom, y1: PAD.top + 30 };
  const max = niceMax(Math.max(...buckets.map((b) => b.count), 0));
  const y = (v) => plot.y0 - (v / max) * (plot.y0 - plot.y1);
  for (const v of [0, max / 2, max]) gridY(svg, { ...plot, y: y(v), label: formatCount(v) });
  const step = (plot.x1 - plot.x0) / buckets.length;
  const every = step < 34 ? 2 : 1;
  buckets.forEach((b, i) => {
    const x = plot.x0 + i * step + step * 0.1;
    if (b.count > 0) svg.append(s('rect', { x, width: step * 0.8, y: y(b.count), height: Math.max(1, plot.y0 - y(b.count)), class: 'bar-latency' }, s('title', {}, `${b.count} between ${b.from_ms} and ${b.to_ms ?? '∞'} ms`)));
    if (i % every === 0) svg.append(s('text', { x: plot.x0 + i * step, y: plot.y0 + 16, class: 'axis-label', 'text-anchor': 'middle' }, `${formatMs(b.from_ms)}`));
  });
  svg.append(s('text', { x: plot.x1, y: plot.y0 + 30, class: 'axis-label', 'text-anchor': 'end' }, 'ms'));
  const markers = [['p50', latency.p50], ['p90', latency.p90], ['p99', latency.p99]];
  markers.forEach(([name, value], k) => {
    if (value === null || value === undefined) return;
    const x = plot.x0 + bucketPosition(buckets, value) * step;
    svg.append(s('line', { x1: x, x2: x, y1: plot.y0, y2: plot.y1 - 4, class: `marker marker-${name}` }));
    const right = x > plot.x1 - 90;
    svg.append(s('text', { x, y: PAD.top + 13 * k, class: `marker-label label-${name}`, 'text-anchor': right ? 'end' : 'start', dx: right ? -3 : 3 }, `${name} ${formatMs(value)} ms`));
  });
  return svg;
}

/** Where `value` sits along the bucket axis, in bucket widths (log-interpolated inside its bucket). */
export function bucketPosition(buckets, value) {
  const i = Math.max(0, buckets.findIndex((b) => b.to_ms === null || value < b.to_ms));
  const b = buckets[i];
  if (b.to_ms === null) return i + Math.min(0.95, Math.log10(Math.max(value, b.from_ms) / b.from_ms) / 1);
  if (b.from_ms <= 0) return i + Math.min(1, value / b.to_ms);
  return i + Math.log(value / b.from_ms) / Math.log(b.to_ms / b.from_ms);
}

/** Top violation codes as horizontal bars, largest first. items: [{ code, count }]. */
export function codesChart(items, width) {
  const row = 26;
  const height = Math.max(row, items.length * row) + 8;
  const label = Math.min(190, Math.max(110, width * 0.38));
  const svg = frame(width, height, 'Top violation codes', items.map((c) => `${c.code}: ${c.count}`).join(', ') || 'No violations.');
  const max = Math.max(...items.map((c) => c.count), 1);
  items.forEach((c, i) => {
    const y = 4 + i * row;
    const w = Math.max(2, ((width - label - 48) * c.count) / max);
    svg.append(s('text', { x: label - 8, y: y + 16, class: 'bar-label', 'text-anchor': 'end' }, c.code));
    svg.append(s('rect', { x: label, y: y + 4, width: w, height: row - 10, class: 'bar-code' }));
    svg.append(s('text', { x: label + w + 6, y: y + 16, class: 'bar-value' }, String(c.count)));
  });
  return svg;
}

function formatCount(v) {
  return v >= 1000 ? `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)}k` : String(Math.round(v * 10) / 10);
}

function formatMs(v) {
  if (v >= 1000) return `${v / 1000}k`;
  return v < 10 ? String(Math.round(v * 100) / 100) : String(Math.round(v));
}
