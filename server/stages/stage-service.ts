/**
 * Rollout stages: each pins one published pack version and a mode. A stage
 * exists once pinned; a new stage starts `off` unless its first pin names a
 * mode, and a later pin without a mode keeps the stage's current mode.
 */
import { PackError } from '../../engine/index.js';
import { AppError } from '../errors.js';
import { DEFAULT_MODE, effectiveMode, type Mode, type ModeCaps } from '../evaluations/modes.js';
import type { PackRegistry } from '../packs/pack-registry.js';
import type { StageChange, StagePin, StageStore } from './stage-store.js';

export interface StageView extends StagePin {
  effective_mode: Mode;
}

export interface StageService {
  list(): Promise<{ items: StageView[]; caps: ModeCaps }>;
  pin(stage: string, to: { pack: string; version: string; mode?: Mode }, actor: string): Promise<{ stage: StageView; created: boolean }>;
  history(stage: string): Promise<StageChange[]>;
}

export function createStageService(deps: { store: StageStore; packs: Pick<PackRegistry, 'published' | 'compiled'>; modeCaps: () => ModeCaps }): StageService {
  const { store, packs } = deps;
  const view = (pin: StagePin, caps: ModeCaps): StageView => ({ ...pin, effective_mode: effectiveMode(pin.mode, caps) });

  return {
    async list() {
      const caps = deps.modeCaps();
      return { items: (await store.list()).map((p) => view(p, caps)), caps };
    },

    async pin(stage, to, actor) {
      await packs.published(to.pack, to.version);
      await assertCompiles(packs, to.pack, to.version);
      const current = await store.get(stage);
      const mode = to.mode ?? current?.mode ?? DEFAULT_MODE;
      const pin = await store.pin(stage, { pack_id: to.pack, version: to.version, mode }, actor);
      return { stage: view(pin, deps.modeCaps()), created: current === undefined };
    },

    async history(stage) {
      const changes = await store.history(stage);
      if (changes.length === 0) {
        throw new AppError('STAGE_NOT_FOUND', `Stage "${stage}" has never been pinned.`, { details: { stage } });
      }
      return changes;
    },
  };
}

/** A version this server cannot compile is refused at pin time, not at the first evaluation. */
async function assertCompiles(packs: Pick<PackRegistry, 'compiled'>, pack: string, version: string): Promise<void> {
  try {
    await packs.compiled(pack, version);
  } catch (error) {
    if (!(error instanceof PackError)) throw error;
    throw new AppError('INVALID_REQUEST', `${pack}@${version} is published but this server cannot compile it.`, {
      details: error.issues.map((i) => ({ path: i.path ?? '', message: i.message })),
      suggestedFix: 'Pin a version this server can compile, or upgrade the server.',
    });
  }
}
