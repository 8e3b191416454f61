import { beforeEach, describe, expect, it } from 'vitest';
import { createPackStore, PackVersionConflictError, type PackStore } from '../../../server/packs/pack-store.js';
import { createStageStore, type StageStore } from '../../../server/stages/stage-store.js';
import { databaseKinds, emptyTables, useDatabase } from '../../helpers/databases.js';

const resolvedQa = (version: string) => ({
  id: 'qa',
  version,
  checks: [{ id: 'profanity', code: 'PROFANITY', severity: 'block', detector: { lexicon: 'profanity' } }],
  lexicons: { profanity: { terms: ['darn'], allow: ['darning'] } },
});

/** Resolves after `ms`: publish and pin times are the database's, at millisecond precision. */
const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

// One database per kind for the whole file: PGlite costs ~5 s and ~500 MB per instance.
describe.each(databaseKinds)('pack and stage stores on %s', (kind) => {
  const database = useDatabase(kind);

  beforeEach(async () => {
    await emptyTables(database().db);
  });

  describe('PackStore', () => {
    let packs: PackStore;

    beforeEach(() => {
      packs = createPackStore(database().db.knex);
    });

    it('publishes a version, then answers unchanged for the same hash', async () => {
      const started = Date.now();
      expect(await packs.publish({ pack_id: 'qa', version: '1.0.0', hash: 'sha256:aaa', resolved: resolvedQa('1.0.0') })).toBe('published');
      expect(await packs.publish({ pack_id: 'qa', version: '1.0.0', hash: 'sha256:aaa', resolved: resolvedQa('1.0.0') })).toBe('unchanged');
      const got = await packs.get('qa', '1.0.0');
      expect(got).toEqual({ pack_id: 'qa', version: '1.0.0', hash: 'sha256:aaa', published_at: expect.any(Date), resolved: resolvedQa('1.0.0') });
      expect(Math.abs((got?.published_at.getTime() ?? 0) - started)).toBeLessThan(60_000);
      // The summary leaves the (large) document out.
      expect(await packs.summary('qa', '1.0.0')).toEqual({ pack_id: 'qa', version: '1.0.0', hash: 'sha256:aaa', published_at: got?.published_at });
    });

    it('refuses other content under a published id@version with PackVersionConflictError', async () => {
      await packs.publish({ pack_id: 'qa', version: '1.0.0', hash: 'sha256:aaa', resolved: resolvedQa('1.0.0') });
      const err = await packs
        .publish({ pack_id: 'qa', version: '1.0.0', hash: 'sha256:bbb', resolved: { changed: true } })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PackVersionConflictError);
      expect(err).toMatchObject({
        code: 'PACK_VERSION_CONFLICT',
        pack_id: 'qa',
        version: '1.0.0',
        existing_hash: 'sha256:aaa',
        new_hash: 'sha256:bbb',
        details: { pack_id: 'qa', version: '1.0.0', existing_hash: 'sha256:aaa', new_hash: 'sha256:bbb' },
      });
      expect((err as Error).message).toContain('qa@1.0.0');
      expect((await packs.get('qa', '1.0.0'))?.resolved).toEqual(resolvedQa('1.0.0'));
    });

    it('lists versions newest first, without the resolved document', async () => {
      await packs.publish({ pack_id: 'qa', version: '1.0.0', hash: 'sha256:a1', resolved: resolvedQa('1.0.0') });
      await tick();
      await packs.publish({ pack_id: 'tos', version: '0.1.0', hash: 'sha256:t1', resolved: { id: 'tos' } });
      await tick();
      await packs.publish({ pack_id: 'qa', version: '1.1.0', hash: 'sha256:a2', resolved: resolvedQa('1.1.0') });

      const versions = await packs.versions('qa');
      expect(versions.map((v) => [v.version, v.hash])).toEqual([['1.1.0', 'sha256:a2'], ['1.0.0', 'sha256:a1']]);
      expect(versions[0].published_at.getTime()).toBeGreaterThan(versions[1].published_at.getTime());
      expect(versions.every((v) => !('resolved' in v))).toBe(true);

      const all = await packs.list();
      expect(all.map((p) => `${p.pack_id}@${p.version}`)).toEqual(['qa@1.1.0', 'qa@1.0.0', 'tos@0.1.0']);
      expect(all.every((v) => !('resolved' in v) && v.published_at instanceof Date)).toBe(true);
    });

    it('answers undefined and [] for what was never published', async () => {
      expect(await packs.get('qa', '9.9.9')).toBeUndefined();
      expect(await packs.summary('qa', '9.9.9')).toBeUndefined();
      expect(await packs.versions('nope')).toEqual([]);
      expect(await packs.list()).toEqual([]);
    });

    it('lets only one of two concurrent publishes with different content win', async () => {
      const results = await Promise.allSettled([
        packs.publish({ pack_id: 'qa', version: '2.0.0', hash: 'sha256:x', resolved: {} }),
        packs.publish({ pack_id: 'qa', version: '2.0.0', hash: 'sha256:y', resolved: {} }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(PackVersionConflictError);
    });
  });

  describe('StageStore', () => {
    let stages: StageStore;

    beforeEach(() => {
      stages = createStageStore(database().db.knex);
    });

    it('pins a new stage and records a history row with no previous pin', async () => {
      const pin = await stages.pin('prod', { pack_id: 'qa', version: '1.0.0', mode: 'advisory' }, 'admin:alice');
      expect(pin).toEqual({ stage: 'prod', pack_id: 'qa', version: '1.0.0', mode: 'advisory', updated_at: expect.any(Date), updated_by: 'admin:alice' });
      expect(await stages.get('prod')).toEqual(pin);
      expect(await stages.history('prod')).toEqual([
        { stage: 'prod', changed_at: pin.updated_at, changed_by: 'admin:alice', from: null, to: { pack_id: 'qa', version: '1.0.0', mode: 'advisory' } },
      ]);
    });

    it('repins: the pin is replaced and history keeps who changed what, newest first', async () => {
      await stages.pin('prod', { pack_id: 'qa', version: '1.0.0', mode: 'advisory' }, 'admin:alice');
      await tick();
      await stages.pin('canary', { pack_id: 'qa', version: '1.1.0', mode: 'enforced' }, 'admin:bob');
      await tick();
      const latest = await stages.pin('prod', { pack_id: 'qa', version: '1.1.0', mode: 'enforced' }, 'admin:bob');

      expect(await stages.list()).toEqual([
        { stage: 'canary', pack_id: 'qa', version: '1.1.0', mode: 'enforced', updated_at: expect.any(Date), updated_by: 'admin:bob' },
        latest,
      ]);
      expect(latest).toMatchObject({ stage: 'prod', version: '1.1.0', mode: 'enforced', updated_by: 'admin:bob' });

      const prod = await stages.history('prod');
      expect(prod.map(({ changed_by, from, to }) => ({ changed_by, from, to }))).toEqual([
        { changed_by: 'admin:bob', from: { pack_id: 'qa', version: '1.0.0', mode: 'advisory' }, to: { pack_id: 'qa', version: '1.1.0', mode: 'enforced' } },
        { changed_by: 'admin:alice', from: null, to: { pack_id: 'qa', version: '1.0.0', mode: 'advisory' } },
      ]);
      expect(prod[0].changed_at).toEqual(latest.updated_at);
      expect((await stages.history()).map((c) => `${c.stage}:${c.to.version}`)).toEqual(['prod:1.1.0', 'canary:1.1.0', 'prod:1.0.0']);
    });

    it('writes pin and history in one transaction: a refused pin leaves neither', async () => {
      await stages.pin('prod', { pack_id: 'qa', version: '1.0.0', mode: 'off' }, 'admin:alice');
      // The mode check constraint fails the upsert, inside the transaction.
      const bad = { pack_id: 'qa', version: '2.0.0', mode: 'loud' as 'off' };
      await expect(stages.pin('prod', bad, 'admin:mallory')).rejects.toThrow();
      expect((await stages.get('prod'))?.version).toBe('1.0.0');
      expect(await stages.history('prod')).toHaveLength(1);
    });

    it('keeps history exact under concurrent pins of one stage', async () => {
      const modes = ['off', 'advisory', 'enforced', 'advisory', 'off'] as const;
      await Promise.all(modes.map((mode, i) => stages.pin('race', { pack_id: 'qa', version: `1.0.${i}`, mode }, `admin:${i}`)));
      const history = (await stages.history('race')).reverse();
      expect(history).toHaveLength(5);
      expect(history[0].from).toBeNull();
      for (let i = 1; i < history.length; i++) expect(history[i].from).toEqual(history[i - 1].to);
      expect(await stages.get('race')).toMatchObject(history.at(-1)?.to ?? {});
    });

    it('answers undefined and [] for an unknown stage', async () => {
      expect(await stages.get('nope')).toBeUndefined();
      expect(await stages.history('nope')).toEqual([]);
      expect(await stages.list()).toEqual([]);
    });
  });
});
