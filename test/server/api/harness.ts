/** Builds the real app on a test database: real stores, the real default pack in rules/. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DestinationStream, Logger } from 'pino';
import type { TSchema } from '@sinclair/typebox';
import request from 'supertest';
import { afterAll } from 'vitest';
import { validateBody } from '../../../server/http/validate.js';
import { createConfig } from '../../../server/config.js';
import type { Database } from '../../../server/db/database.js';
import { createGatehouse, type Gatehouse, type GatehouseDeps } from '../../../server/compose.js';
import { createLogger } from '../../../server/logger.js';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';
export const EVALUATOR_KEY = 'test-evaluator-key-0123456789abcdef';
export const RULES_DIR = path.resolve(import.meta.dirname, '../../../rules');

/** Content for the default qa pack. */
export const CONTENT = {
  pass: ['1/2 We are launching the new garden planner today.', '2/2 Plan your beds in minutes and share them with friends.'],
  profane: 'This fucking planner is the best thing we have built.',
  threat: 'I know where you live and you are going to regret this.',
  selfHarm: 'Some days I want to die and nobody notices.',
};

export function auth(key: string): Record<string, string> {
  return { Authorization: `Bearer ${key}` };
}

export interface BuildOptions extends Partial<Omit<GatehouseDeps, 'config' | 'knex' | 'logger'>> {
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Captures log lines (as JSON text) instead of discarding them. */
  logSink?: string[];
}

// Each app gets its own audit outbox, so that no row kept by one test is replayed into another's
// database; the folders go when the test file is done (registered on import: it runs after the
// file's own afterAll hooks, which close the apps).
let outboxRoot: string | undefined;
function freshOutboxDir(): string {
  outboxRoot ??= mkdtempSync(path.join(tmpdir(), 'gh-outbox-'));
  return mkdtempSync(path.join(outboxRoot, 'app-'));
}
afterAll(() => {
  if (outboxRoot) rmSync(outboxRoot, { recursive: true, force: true });
  outboxRoot = undefined;
});

export async function buildGatehouse(db: Database, options: BuildOptions = {}): Promise<Gatehouse> {
  const { env, logger, logSink, ...rest } = options;
  const config = createConfig({
    GATEHOUSE_API_KEYS: `admin:${ADMIN_KEY},evaluator:${EVALUATOR_KEY}`,
    GATEHOUSE_RULES_DIR: RULES_DIR,
    GATEHOUSE_AUDIT_TICK_MS: '1',
    GATEHOUSE_OUTBOX_DIR: env?.GATEHOUSE_OUTBOX_DIR ?? freshOutboxDir(),
    ...env,
  });
  const sink: DestinationStream | undefined = logSink ? { write: (line: string) => void logSink.push(line) } : undefined;
  return createGatehouse({
    config,
    knex: db.knex,
    logger: logger ?? createLogger(sink ? 'info' : 'silent', sink),
    defaultMetrics: false,
    ...rest,
  });
}

type App = Gatehouse['app'];

export function pin(app: App, stage: string, body: { pack?: string; version?: string; mode?: string }) {
  return request(app)
    .put(`/v1/stages/${stage}`)
    .set(auth(ADMIN_KEY))
    .send({ pack: 'qa', version: '2.0.0', ...body });
}

export function evaluate(app: App, body: Record<string, unknown>, key = EVALUATOR_KEY) {
  return request(app).post('/v1/evaluate').set(auth(key)).send(body);
}

/** Asserts the one error shape and returns the body's error. */
export function expectError(res: request.Response, status: number, code: string) {
  if (res.status !== status || res.body?.error?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
  }
  const error = res.body.error as { code: string; message: string; suggestedFix: string; details: unknown };
  if (typeof error.message !== 'string' || typeof error.suggestedFix !== 'string' || !('details' in error)) {
    throw new Error(`not the error shape: ${JSON.stringify(res.body)}`);
  }
  if (/\bat .+:\d+:\d+/.test(res.text)) throw new Error('a stack trace leaked into the body');
  return error;
}

/** Asserts that a response body conforms to the schema that /openapi.json publishes for it. */
export function conforms(schema: TSchema, body: unknown): void {
  try {
    validateBody(schema, body, 'response');
  } catch (error) {
    throw new Error(`response does not match its published schema: ${JSON.stringify((error as { details?: unknown }).details)}`);
  }
}
