/**
 * The pack registry as the evaluate path sees it: a pinned version this
 * instance cannot load or compile answers POLICY_VERSION_UNAVAILABLE (503),
 * and nothing ever falls back to another version (docs/rollout.md#fleet).
 */
import { PackError, type CompiledPack } from '../../engine/index.js';
import { AppError } from '../errors.js';
import { safeMessage } from '../lib/redact.js';
import type { PackRegistry } from '../packs/pack-registry.js';

type Packs = Pick<PackRegistry, 'compiled' | 'published'>;

/** `registry`, refusing `pack@version` at once when `knownUnavailable` gives a reason for it. */
export function failClosedPacks(registry: Packs, knownUnavailable: (pack: string, version: string) => string | undefined): Packs {
  return {
    async compiled(packId, version): Promise<CompiledPack> {
      const known = knownUnavailable(packId, version);
      if (known !== undefined) throw unavailableError(packId, version, known);
      try {
        return await registry.compiled(packId, version);
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw unavailableError(packId, version, reasonOf(error));
      }
    },
    published: (packId, version) => registry.published(packId, version),
  };
}

function unavailableError(pack: string, version: string, reason: string): AppError {
  return new AppError('POLICY_VERSION_UNAVAILABLE', `${pack}@${version} is pinned but this instance cannot load or compile it.`, {
    details: { pack, version, reason },
  });
}

/** A short, safe reason: pack issues as `path: message`, other errors by message. */
export function reasonOf(error: unknown): string {
  if (error instanceof PackError) {
    return error.issues
      .slice(0, 3)
      .map((i) => `${i.path ?? ''}: ${i.message}`.trim())
      .join('; ');
  }
  if (error instanceof AppError) return `${error.code}: ${error.message}`;
  return safeMessage(error);
}
