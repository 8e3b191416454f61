/**
 * /readyz's view of the stages: each pinned stage is ready when this instance
 * can serve it (docs/rollout.md#fleet).
 */
import type { RolloutState } from './rollout-state.js';

export interface StagesReadiness extends Record<string, unknown> {
  ok: boolean;
  /** Stages this instance cannot serve (fail closed). */
  unready: string[];
  stages: Record<string, { ok: boolean; pack: string; version: string; status: string; effective_mode: string; error?: string }>;
  refreshed_at: string | null;
}

export function stagesReadiness(state: Pick<RolloutState, 'serving' | 'refreshedAt'>): StagesReadiness {
  const stages: StagesReadiness['stages'] = {};
  for (const s of state.serving()) {
    // A stage served off answers SKIPPED without its pack: it can be served even when the pack cannot.
    const ok = s.status === 'serving' || s.effective_mode === 'off';
    stages[s.stage] = { ok, pack: s.pack, version: s.version, status: s.status, effective_mode: s.effective_mode, ...(s.error ? { error: s.error } : {}) };
  }
  const unready = Object.entries(stages)
    .filter(([, s]) => !s.ok)
    .map(([name]) => name);
  return { ok: unready.length === 0, unready, stages, refreshed_at: state.refreshedAt()?.toISOString() ?? null };
}
