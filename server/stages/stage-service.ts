/**
 * Rollout stages: each pins one published pack version and a mode. A stage
 * exists once pinned; a new stage starts `off` unless its first pin names a
 * mode, and a later pin without a mode keeps the stage's current mode.
 */
import { PackError } from '../../engine/index.js';
import { AppError } from '../errors.js';
import { DEFAULT_MODE, effectiveMode, type Mode, type ModeCaps } from '../../contract/modes.js';
import type { PackRegistry } from '../packs/pack-registry.js';
import { formatShadowRef, parseShadowRef } from '../rollout/shadow-ref.js';
import type { StageChange, StagePin, StageStore } from './stage-store.js';

export interface StageView extends StagePin {
  effective_mode: Mode;
}

export interface StageService {
  list(): Promise<{ items: StageView[]; caps: ModeCaps }>;
  /** `shadow`: omitted keeps the stage's candidate, null clears it; a candidate equal to the new pin is cleared (promoted). */
  pin(stage: string, to: { pack: string; version: string; mode?: Mode; shadow?: string | null }, actor: string): Promise<{ stage: StageView; created: boolean }>;
  history(stage: string): Promise<StageChange[]>;
}

export function createStageService(deps: {
  store: StageStore;
  packs: Pick<PackRegistry, 'published' | 'compiled'>;
  modeCaps: () => ModeCaps;
  /** Called after a pin is committed: tells every instance, and resolves once this one serves it. */
  onPinned?: () => Promise<void>;
}): StageService {
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
      const shadow = await resolveShadow(packs, to, current?.shadow);
      const pin = await store.pin(stage, { pack_id: to.pack, version: to.version, mode, shadow }, actor);
      await deps.onPinned?.();
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

/** The candidate to store: checked like a pin (published, compiles); null when none or when it is the pin itself. */
async function resolveShadow(
  packs: Pick<PackRegistry, 'published' | 'compiled'>,
  to: { pack: string; version: string; shadow?: string | null },
  current: string | undefined,
): Promise<string | null> {
  const wanted = to.shadow === undefined ? current : to.shadow;
  if (wanted === undefined || wanted === null) return null;
  const ref = parseShadowRef(wanted);
  if (!ref) {
    throw new AppError('INVALID_REQUEST', `shadow must be written pack@version, got "${wanted}".`, {
      details: [{ path: '/shadow', message: 'expected pack@version, e.g. qa@1.1.0' }],
    });
  }
  // Promoting the candidate to the pin ends the comparison: a version shadowing itself says nothing.
  if (ref.pack === to.pack && ref.version === to.version) return null;
  if (to.shadow !== undefined) {
    await packs.published(ref.pack, ref.version);
    await assertCompiles(packs, ref.pack, ref.version);
  }
  return formatShadowRef(ref);
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
