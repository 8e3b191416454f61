/** The readiness report as a terminal reads it: the verdict first, then the figures behind it. */
import type { ReadinessReportBody } from '../../contract/schemas/reports.js';

export function formatReadinessText(r: ReadinessReportBody): string {
  const lines: string[] = [];
  const pin = r.pin ? `${r.pin.pack}@${r.pin.version}, pinned ${r.pin.mode}` : 'not pinned now';
  lines.push(`Readiness of stage ${r.stage} (${pin})`);
  lines.push(`window ${r.window.spec}: ${r.window.from} → ${r.window.until}`);
  lines.push('');
  const applies = r.verdict.applies === 'stay_enforced' ? 'to stay enforced' : 'to enter enforced';
  lines.push(`VERDICT ${VERDICT[r.verdict.status]} ${applies}`);
  for (const [name, set] of [['enter enforced', r.verdict.enter_enforced], ['stay enforced', r.verdict.stay_enforced]] as const) {
    lines.push(`  ${name}: ${set.status}`);
    for (const c of set.checks) {
      lines.push(`    [${c.status}] ${c.description}: ${c.reason}${c.note ? ` (${c.note})` : ''}`);
      if (c.how_to_get_data) lines.push(`      to measure it: ${c.how_to_get_data}`);
    }
  }
  lines.push('');
  const d = r.decisions;
  lines.push(`decisions         ${d.total} (PASS ${d.pass}, FAIL ${d.fail}, SKIPPED ${d.skipped}; blocked ${d.blocked})`);
  lines.push(`  by mode         off ${d.by_mode.off}, advisory ${d.by_mode.advisory}, enforced ${d.by_mode.enforced}`);
  lines.push(`rejection rate    ${percent(r.rejections.rate)} of ${r.rejections.evaluated} evaluated`);
  for (const c of r.rejections.by_code) lines.push(`  ${c.code.padEnd(16)}${String(c.decisions).padStart(6)}  ${percent(c.rate)}`);
  const l = r.latency_ms;
  lines.push(`latency (ms)      p50 ${num(l.p50)}, p90 ${num(l.p90)}, p99 ${num(l.p99)}, max ${num(l.max)} over ${l.count}`);
  const cov = r.telemetry_coverage;
  lines.push(`coverage          ${percent(cov.ratio)} (${cov.workflows_with_decision} of ${cov.workflows_with_agent_runs} workflows with agent runs)`);
  if (cov.uncovered_examples.length > 0) lines.push(`  without decision: ${cov.uncovered_examples.join(', ')}`);
  lines.push(`agent runs        ${r.agent_runs.total}, failed ${r.agent_runs.failed} (${percent(r.agent_runs.failure_rate)})`);
  lines.push(`overrides         ${r.overrides.count} (${r.overrides.with_actor_and_reason} with actor and reason)`);
  const awf = r.audit_write_failures;
  lines.push(`audit write fail. ${awf.count === null ? 'unknown' : awf.count} (${awf.source})`);
  const h = r.mode_hours;
  lines.push(`hours by mode     advisory ${h.advisory}, enforced ${h.enforced}, off ${h.off}, unpinned ${h.unpinned}`);
  lines.push('');
  for (const note of r.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}

const VERDICT: Record<ReadinessReportBody['verdict']['status'], string> = {
  READY: 'READY',
  NOT_READY: 'NOT READY',
  MISSING_DATA: 'NOT READY (missing data)',
};

function percent(r: number | null): string {
  return r === null ? 'n/a' : `${Math.round(r * 100_000) / 1_000} %`;
}

function num(v: number | null): string {
  return v === null ? 'n/a' : String(v);
}
