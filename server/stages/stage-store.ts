import type { Knex } from 'knex';
import type { Mode } from '../../contract/modes.js';
import { toDate, toNumber } from '../db/driver-values.js';

export interface StagePin {
  stage: string;
  pack_id: string;
  version: string;
  mode: Mode;
  /** Shadow candidate `id@version`, evaluated beside the pin and never answered; absent when none. */
  shadow?: string;
  updated_at: Date;
  updated_by: string;
}

export type PinTarget = Omit<StagePin, 'stage' | 'updated_at' | 'updated_by'>;

export interface StageChange {
  stage: string;
  changed_at: Date;
  changed_by: string;
  /** null for the stage's first pin. */
  from: PinTarget | null;
  to: PinTarget;
}

export interface StageStore {
  list(): Promise<StagePin[]>;
  get(stage: string): Promise<StagePin | undefined>;
  /** Sets the pin and appends its history row in one transaction; `shadow` omitted or null → none. */
  pin(stage: string, to: { pack_id: string; version: string; mode: Mode; shadow?: string | null }, actor: string): Promise<StagePin>;
  /** Newest first; every stage when `stage` is omitted. */
  history(stage?: string): Promise<StageChange[]>;
  /** Whether the stage was ever pinned (it has history), pinned now or not. */
  everPinned(stage: string): Promise<boolean>;
  /** Seconds of [from, until) spent under each pinned mode: each history row holds until the next one. */
  modeSeconds(stage: string, from: Date, until: Date): Promise<Partial<Record<Mode, number>>>;
}

const PINS = 'stage_pins';
const HISTORY = 'stage_pin_history';

export function createStageStore(knex: Knex): StageStore {
  return {
    async list() {
      return (await knex(PINS).select('*').orderBy('stage')).map(mapPin);
    },

    async get(stage) {
      const row = await knex(PINS).where({ stage }).first();
      return row ? mapPin(row) : undefined;
    },

    pin(stage, to, actor) {
      return knex.transaction((trx) => pinIn(trx, stage, to, actor));
    },

    async history(stage) {
      const b = knex(HISTORY).select('*').orderBy('id', 'desc');
      if (stage !== undefined) b.where({ stage });
      return (await b).map(mapChange);
    },

    async everPinned(stage) {
      const [{ n }] = await knex(HISTORY).where({ stage }).count({ n: '*' });
      return toNumber(n) > 0;
    },

    async modeSeconds(stage, from, until) {
      const { rows } = await knex.raw(
        `WITH spans AS (
           SELECT to_mode AS mode, changed_at AS start_at,
                  lead(changed_at) OVER (ORDER BY changed_at, id) AS end_at
             FROM ${HISTORY} WHERE stage = ?
         )
         SELECT mode, sum(extract(epoch FROM (least(coalesce(end_at, ?), ?) - greatest(start_at, ?)))) AS seconds
           FROM spans
          WHERE start_at < ? AND coalesce(end_at, ?) > ?
          GROUP BY mode`,
        [stage, until, until, from, until, until, from],
      );
      return Object.fromEntries((rows as Record<string, unknown>[]).map((r) => [String(r.mode), toNumber(r.seconds)]));
    },
  };
}

async function pinIn(trx: Knex.Transaction, stage: string, to: Omit<PinTarget, 'shadow'> & { shadow?: string | null }, actor: string): Promise<StagePin> {
  // Serialises pins of one stage, including its first, so that `from` is always the pin replaced.
  await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`gatehouse.stage_pins:${stage}`]);
  const before = await trx(PINS).where({ stage }).first();
  const row = { stage, pack_id: to.pack_id, version: to.version, mode: to.mode, shadow: to.shadow ?? null, updated_by: actor };
  const [saved] = await trx(PINS)
    .insert({ ...row, updated_at: trx.fn.now(3) })
    .onConflict('stage')
    .merge()
    .returning('*');
  await trx(HISTORY).insert({
    stage,
    changed_at: saved.updated_at,
    changed_by: actor,
    from_pack_id: before?.pack_id ?? null,
    from_version: before?.version ?? null,
    from_mode: before?.mode ?? null,
    to_pack_id: to.pack_id,
    to_version: to.version,
    to_mode: to.mode,
    from_shadow: before?.shadow ?? null,
    to_shadow: to.shadow ?? null,
  });
  return mapPin(saved);
}

function mapPin(r: Record<string, unknown>): StagePin {
  return {
    stage: String(r.stage),
    pack_id: String(r.pack_id),
    version: String(r.version),
    mode: r.mode as Mode,
    ...shadowOf(r.shadow),
    updated_at: toDate(r.updated_at),
    updated_by: String(r.updated_by),
  };
}

// Present only when set, so that a stage without a candidate reads exactly as before shadows existed.
function shadowOf(value: unknown): { shadow?: string } {
  return typeof value === 'string' && value !== '' ? { shadow: value } : {};
}

function mapChange(r: Record<string, unknown>): StageChange {
  const from =
    r.from_pack_id === null || r.from_pack_id === undefined
      ? null
      : { pack_id: String(r.from_pack_id), version: String(r.from_version), mode: r.from_mode as Mode, ...shadowOf(r.from_shadow) };
  return {
    stage: String(r.stage),
    changed_at: toDate(r.changed_at),
    changed_by: String(r.changed_by),
    from,
    to: { pack_id: String(r.to_pack_id), version: String(r.to_version), mode: r.to_mode as Mode, ...shadowOf(r.to_shadow) },
  };
}
