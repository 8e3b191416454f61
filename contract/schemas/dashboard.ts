/** GET /v1/dashboard/stats: the query of the dashboard's Readiness charts. */
import { Type } from '@sinclair/typebox';
import { StageName } from './common.js';

export const StatsQueryParams = Type.Object(
  {
    stage: Type.Optional(StageName),
    window: Type.String({ pattern: '^[1-9][0-9]{0,4}[mhd]$', default: '72h', description: 'Length of the window ending now (or at `to`): 30m, 72h, 7d; at most 90d.' }),
    buckets: Type.Integer({ minimum: 1, maximum: 200, default: 24 }),
    to: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
