import { describe, expect, it } from 'vitest';
import { workersWanted } from '../../server/cluster.js';
import { ConfigError } from '../../server/config.js';

describe('GATEHOUSE_WORKERS', () => {
  it('is one process unless asked, N with PostgreSQL', () => {
    expect(workersWanted({})).toBe(1);
    expect(workersWanted({ GATEHOUSE_WORKERS: '' })).toBe(1);
    expect(workersWanted({ GATEHOUSE_WORKERS: '1' })).toBe(1);
    expect(workersWanted({ GATEHOUSE_WORKERS: '2', DATABASE_URL: 'postgres://db/gatehouse' })).toBe(2);
  });

  it('refuses bad counts, and more than one process on PGlite', () => {
    for (const bad of ['0', '-1', '1.5', 'two', '65']) {
      expect(() => workersWanted({ GATEHOUSE_WORKERS: bad, DATABASE_URL: 'postgres://db/g' }), bad).toThrow(ConfigError);
    }
    expect(() => workersWanted({ GATEHOUSE_WORKERS: '2' })).toThrow(/needs DATABASE_URL/);
  });
});
