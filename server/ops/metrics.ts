/**
 * Prometheus metrics, one Registry per app instance (never prom-client's
 * global one), so that several apps in one process (tests) never collide.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DecisionListener } from '../evaluations/decided.js';
import { createHttpMetrics, type HttpMetrics } from './http-metrics.js';

/**
 * prom-client's default gauges that end in `_total`, which Prometheus reserves for counters
 * (`promtool check metrics` refuses them). Each is the sum of the per-type gauge of the same
 * name without the suffix (nodejs_active_handles{type}), so nothing is lost: sum() it.
 */
const GAUGES_NAMED_LIKE_COUNTERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export interface Metrics {
  registry: Registry;
  decisions: Counter<'stage' | 'mode' | 'decision'>;
  evaluateDuration: Histogram<'mode'>;
  auditWriteFailures: Counter;
  http: HttpMetrics;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    for (const name of GAUGES_NAMED_LIKE_COUNTERS) registry.removeSingleMetric(name);
  }
  return {
    registry,
    decisions: new Counter({
      name: 'gatehouse_decisions_total',
      help: 'Decisions answered, by stage, effective mode and decision.',
      labelNames: ['stage', 'mode', 'decision'],
      registers: [registry],
    }),
    evaluateDuration: new Histogram({
      name: 'gatehouse_evaluate_duration_seconds',
      help: 'Time to answer POST /v1/evaluate, audit commit and receipt included.',
      labelNames: ['mode'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    auditWriteFailures: new Counter({
      name: 'gatehouse_audit_write_failures_total',
      help: 'Audit rows that could not be committed.',
      registers: [registry],
    }),
    http: createHttpMetrics(registry),
  };
}

/** The onDecision listener that counts each answer: by stage, mode and decision, its latency, and a row not committed. */
export function countDecisions(metrics: Metrics): DecisionListener {
  return ({ summary, latency_ms }) => {
    metrics.decisions.inc({ stage: summary.stage, mode: summary.mode, decision: summary.decision });
    metrics.evaluateDuration.observe({ mode: summary.mode }, latency_ms / 1000);
    if (!summary.audit_ok) metrics.auditWriteFailures.inc();
  };
}
