// Readiness: decisions and rejection rate over time, the latency distribution with
// p50/p90/p99, and the top violation codes. For one stage the figures and the verdict
// come from the rollout readiness report (GET /v1/reports/readiness); for all stages, or
// on a server without that report, from GET /v1/dashboard/stats (same definitions, also
// computed in SQL).

import { ApiError, get, query } from './api.js';
import { codesChart, decisionsChart, latencyChart } from './charts.js';
import { byId, fill, h, ms, percent, showError } from './dom.js';

const BUCKETS = 24;
const LIVE_REFRESH_MS = 5_000;

export function createReadinessView() {
  const el = {
    form: byId('readiness-form'),
    stage: byId('readiness-stage'),
    window: byId('readiness-window'),
    error: byId('readiness-error'),
    kpis: byId('readiness-kpis'),
    report: byId('readiness-report'),
    series: byId('chart-series'),
    latency: byId('chart-latency'),
    codes: byId('chart-codes'),
  };
  let stats = null;
  let visible = false;
  let refreshTimer = null;
  let width = 0;

  el.form.addEventListener('change', () => load());
  el.form.addEventListener('submit', (event) => {
    event.preventDefault();
    load();
  });
  // Charts are drawn for their pixel width: redraw when it changes (rotation, resize).
  new ResizeObserver(() => {
    if (stats && visible && el.series.clientWidth !== width) draw();
  }).observe(el.series);

  async function load() {
    const stage = el.stage.value || undefined;
    const window = el.window.value;
    try {
      const report = await readinessReport(stage, window);
      const figures = report && !report.unavailable ? fromReport(report) : await get(`/v1/dashboard/stats${query({ stage, window, buckets: BUCKETS })}`);
      stats = figures;
      showError(el.error, null);
      renderKpis(el.kpis, figures);
      renderReport(el.report, report, stage);
      draw();
    } catch (error) {
      showError(el.error, error);
    }
  }

  function draw() {
    // A hidden view has no width to draw for; it is drawn again when shown.
    if (el.series.clientWidth === 0) return;
    width = el.series.clientWidth;
    const evaluated = stats.series.some((p) => p.decisions > 0);
    fill(el.series, evaluated ? decisionsChart(stats.series, width) : empty());
    fill(el.latency, stats.latency.count > 0 ? latencyChart(stats.latency, el.latency.clientWidth) : empty());
    fill(el.codes, stats.top_codes.length > 0 ? codesChart(stats.top_codes, el.codes.clientWidth) : h('p', { class: 'muted' }, 'No violations in this window.'));
  }

  return {
    show() {
      visible = true;
      load();
    },
    hide() {
      visible = false;
    },
    setStages(names) {
      const chosen = el.stage.value;
      fill(el.stage, h('option', { value: '' }, 'All stages'), names.map((n) => h('option', { value: n }, n)));
      el.stage.value = names.includes(chosen) ? chosen : '';
    },
    /** A new decision: refresh while on screen, at most every few seconds. */
    onDecision() {
      if (!visible || refreshTimer) return;
      refreshTimer = setTimeout(() => {
        refreshTimer = null;
        if (visible) load();
      }, LIVE_REFRESH_MS);
    },
  };
}

/** The rollout issue's report; null when this server does not have it yet or no stage is chosen. */
async function readinessReport(stage, window) {
  if (!stage) return null;
  try {
    return await get(`/v1/reports/readiness${query({ stage, window })}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && error.code === 'NOT_FOUND') return null;
    return { unavailable: error };
  }
}

/** The report's figures in the shape the charts take (the shape of /v1/dashboard/stats). */
function fromReport(r) {
  const d = r.decisions;
  return {
    totals: { decisions: d.total, pass: d.pass, fail: d.fail, skipped: d.skipped, blocked: d.blocked, rejection_rate: r.rejections.rate },
    series: r.series.buckets,
    latency: { ...r.latency_ms, histogram: r.latency_histogram.buckets },
    top_codes: r.rejections.by_code.map((c) => ({ code: c.code, count: c.decisions })),
  };
}

function empty() {
  return h('p', { class: 'muted' }, 'No decisions in this window.');
}

function renderKpis(box, s) {
  const kpi = (label, value, id) => h('div', { class: 'kpi', dataset: { kpi: id } }, h('span', { class: 'kpi-label' }, label), h('span', { class: 'kpi-value' }, value));
  fill(
    box,
    kpi('Decisions', String(s.totals.decisions), 'decisions'),
    kpi('Rejection rate', percent(s.totals.rejection_rate), 'rejection'),
    kpi('Blocked', String(s.totals.blocked), 'blocked'),
    kpi('p50 latency', ms(s.latency.p50), 'p50'),
    kpi('p90 latency', ms(s.latency.p90), 'p90'),
    kpi('p99 latency', ms(s.latency.p99), 'p99'),
  );
}

function renderReport(box, report, stage) {
  if (!stage) {
    fill(box, h('p', { class: 'muted' }, 'Choose a stage to see its readiness verdict.'));
    return;
  }
  if (!report) {
    fill(box, h('p', { class: 'muted' }, 'This server has no readiness report (GET /v1/reports/readiness): the figures below come from the audit log, without a verdict.'));
    return;
  }
  if (report.unavailable) {
    const e = report.unavailable;
    fill(box, h('p', {}, 'Readiness report: ', h('strong', { class: 'error-code' }, e.code), ` ${e.message} `, h('span', { class: 'error-fix' }, e.suggestedFix)));
    return;
  }
  fill(box, ...verdictView(report));
}

const STEP = { enter_enforced: 'Ready to enter enforced', stay_enforced: 'Fit to stay enforced' };
const UNIT = { percent: ' %', ms: ' ms', hours: ' h', count: '' };
const VERDICT = {
  READY: { text: 'READY', class: 'verdict verdict-yes' },
  NOT_READY: { text: 'NOT READY', class: 'verdict verdict-no' },
  MISSING_DATA: { text: 'NOT READY (missing data)', class: 'verdict verdict-missing' },
};
const CHECK = {
  PASS: { mark: '✓ PASS', class: 'check-pass' },
  FAIL: { mark: '✗ FAIL', class: 'check-fail' },
  UNKNOWN: { mark: '? UNKNOWN', class: 'check-unknown' },
};

/** The verdict of the step that applies to the stage, each threshold with its status, the reason and how to get data. */
function verdictView(report) {
  const { applies } = report.verdict;
  // A server before PASS/FAIL/UNKNOWN only has `ready` and `pass`: read those the old way.
  const status = report.verdict.status ?? (report.verdict.ready ? 'READY' : 'NOT_READY');
  const verdict = VERDICT[status] ?? VERDICT.NOT_READY;
  const set = report.verdict[applies];
  return [
    h('p', { class: 'verdict-line' }, `${STEP[applies] ?? applies}: `, h('strong', { class: verdict.class, dataset: { verdict: status } }, verdict.text), report.pin ? h('span', { class: 'muted' }, ` · pinned ${report.pin.pack}@${report.pin.version}, ${report.pin.mode}`) : null),
    h(
      'ul',
      { class: 'plain thresholds' },
      set.checks.map((c) => {
        const s = CHECK[c.status ?? (c.pass ? 'PASS' : 'FAIL')] ?? CHECK.FAIL;
        return h(
          'li',
          { class: s.class, dataset: { check: c.id, status: c.status ?? '' } },
          h('span', { class: 'check-mark' }, s.mark),
          ` ${c.description}: measured ${formatValue(c.measured, c.unit)}, needs ${c.operator} ${formatValue(c.threshold, c.unit)}`,
          c.reason ? h('span', { class: 'check-reason muted' }, c.reason) : null,
          c.how_to_get_data ? h('span', { class: 'check-reason' }, `To measure it: ${c.how_to_get_data}`) : null,
        );
      }),
    ),
    report.notes?.length ? h('ul', { class: 'plain muted' }, report.notes.map((n) => h('li', {}, n))) : null,
  ];
}

function formatValue(v, unit) {
  if (v === null || v === undefined) return 'no data';
  const n = Number.isInteger(v) ? String(v) : v.toFixed(2);
  return `${n}${UNIT[unit] ?? ''}`;
}
