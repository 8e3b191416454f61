/**
 * Every request and response body of the API as TypeBox schemas, one file
 * per feature: ajv validates requests against them (server/http/validate.ts),
 * /openapi.json publishes the same objects (server/ops/openapi.ts) and the
 * client derives its types from them, so the three cannot drift apart.
 */
import { auditComponents } from './audit.js';
import { commonComponents } from './common.js';
import { dashboardComponents } from './dashboard.js';
import { evaluationComponents } from './evaluations.js';
import { opsComponents } from './ops.js';
import { overrideComponents } from './overrides.js';
import { packComponents } from './packs.js';
import { receiptComponents } from './receipts.js';
import { reportComponents } from './reports.js';
import { rolloutComponents } from './rollout.js';
import { stageComponents } from './stages.js';

export * from './audit.js';
export * from './common.js';
export * from './dashboard.js';
export * from './evaluations.js';
export * from './ops.js';
export * from './overrides.js';
export * from './packs.js';
export * from './receipts.js';
export * from './reports.js';
export * from './rollout.js';
export * from './stages.js';

/** Named schemas published under components/schemas of /openapi.json. */
export const components = {
  ...commonComponents,
  ...evaluationComponents,
  ...receiptComponents,
  ...packComponents,
  ...stageComponents,
  ...auditComponents,
  ...opsComponents,
  ...rolloutComponents,
  ...overrideComponents,
  ...reportComponents,
  ...dashboardComponents,
} as const;
