/**
 * /openapi.json (OpenAPI 3.1), generated from the route table below and the
 * TypeBox schemas that validate the requests, so the document and the
 * checks are the same objects.
 */
import type { TSchema } from '@sinclair/typebox';
import { HTTP_STATUS, type ErrorCode } from '../../contract/error-codes.js';
import * as S from '../../contract/schemas/index.js';

type Access = 'public' | 'evaluator' | 'admin';

export interface RouteSpec {
  method: 'get' | 'post' | 'put';
  /** OpenAPI path, `{param}` style. */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  params?: TSchema;
  query?: TSchema;
  body?: TSchema;
  ok: { status: number; schema?: TSchema; contentType?: string; alsoCreated?: boolean };
  errors: ErrorCode[];
}

const auth = (access: Access): ErrorCode[] =>
  access === 'public' ? [] : access === 'admin' ? ['UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED'] : ['UNAUTHORIZED', 'RATE_LIMITED'];

export const ROUTES: RouteSpec[] = [
  { method: 'post', path: '/v1/evaluate', tag: 'evaluations', access: 'evaluator', summary: 'Evaluate content under a stage’s pinned pack version and effective mode (a decision is always 200).',
    body: S.EvaluateRequest, ok: { status: 200, schema: S.EvaluateResponse }, errors: ['INVALID_REQUEST', 'PAYLOAD_TOO_LARGE', 'STAGE_NOT_FOUND', 'POLICY_VERSION_NOT_FOUND', 'POLICY_VERSION_UNAVAILABLE', 'EVALUATION_TIMEOUT'] },
  { method: 'get', path: '/v1/decisions/{request_id}', tag: 'evaluations', access: 'evaluator', summary: 'A decision as stored in its audit row: for the key that made it, or an admin (404 to others).',
    params: S.RequestIdParams, ok: { status: 200, schema: S.Decision }, errors: ['INVALID_REQUEST', 'NOT_FOUND'] },
  { method: 'post', path: '/v1/receipts/verify', tag: 'receipts', access: 'evaluator', summary: 'Verify a receipt against the content about to be posted.',
    body: S.VerifyRequest, ok: { status: 200, schema: S.VerifyResponse }, errors: ['INVALID_REQUEST', 'ENFORCEMENT_RECEIPT_REQUIRED', 'RECEIPT_INVALID', 'RECEIPT_CONTENT_MISMATCH', 'RECEIPT_EXPIRED', 'RECEIPT_STAGE_MISMATCH', 'RECEIPT_PLATFORM_MISMATCH'] },
  { method: 'get', path: '/.well-known/jwks.json', tag: 'receipts', access: 'public', summary: 'Public keys (JWKS) that verify receipts offline.',
    ok: { status: 200, schema: S.Jwks }, errors: [] },
  { method: 'get', path: '/v1/packs', tag: 'packs', access: 'evaluator', summary: 'Every published pack version.',
    ok: { status: 200, schema: S.PackList }, errors: [] },
  { method: 'get', path: '/v1/packs/{id}/versions', tag: 'packs', access: 'evaluator', summary: 'Published versions of one pack, newest first.',
    params: S.PackParams, ok: { status: 200, schema: S.PackVersions }, errors: ['POLICY_VERSION_NOT_FOUND'] },
  { method: 'get', path: '/v1/stages', tag: 'stages', access: 'evaluator', summary: 'Stage pins with their effective modes.',
    ok: { status: 200, schema: S.StageList }, errors: [] },
  { method: 'put', path: '/v1/stages/{stage}', tag: 'stages', access: 'admin', summary: 'Pin a published pack version and a mode (201 for a new stage; new stages start off).',
    params: S.StageParams, body: S.PinRequest, ok: { status: 200, schema: S.Stage, alsoCreated: true }, errors: ['INVALID_REQUEST', 'POLICY_VERSION_NOT_FOUND'] },
  { method: 'get', path: '/v1/stages/{stage}/history', tag: 'stages', access: 'evaluator', summary: 'Changes of a stage’s pin, newest first.',
    params: S.StageParams, ok: { status: 200, schema: S.StageHistory }, errors: ['INVALID_REQUEST', 'STAGE_NOT_FOUND'] },
  { method: 'get', path: '/v1/audit', tag: 'audit', access: 'admin', summary: 'Audit rows, newest first, filtered, with cursor pagination.',
    query: S.AuditQuery, ok: { status: 200, schema: S.AuditPage }, errors: ['INVALID_REQUEST'] },
  { method: 'post', path: '/v1/agent-runs', tag: 'audit', access: 'evaluator', summary: 'Record one agent run (append-only telemetry).',
    body: S.AgentRunRequest, ok: { status: 201, schema: S.AgentRunResponse }, errors: ['INVALID_REQUEST'] },
  { method: 'get', path: '/v1/kill-switch', tag: 'rollout', access: 'admin', summary: 'The kill switch on this instance (API and environment) and its history, newest first.',
    ok: { status: 200, schema: S.KillSwitch }, errors: [] },
  { method: 'post', path: '/v1/kill-switch', tag: 'rollout', access: 'admin', summary: 'Throw (engaged: true) or release the kill switch on every instance within a second; every stage runs off while engaged.',
    body: S.KillSwitchRequest, ok: { status: 200, schema: S.KillSwitch }, errors: ['INVALID_REQUEST'] },
  { method: 'get', path: '/v1/fleet', tag: 'rollout', access: 'admin', summary: 'Every instance with the pack versions and hashes it serves per stage; flags instances out of sync with the pins, and stale ones.',
    ok: { status: 200, schema: S.Fleet }, errors: [] },
  { method: 'get', path: '/v1/reports/shadow', tag: 'rollout', access: 'admin', summary: 'Shadow comparison of a stage: decisions the candidate would flip, codes gained and lost, masked examples.',
    query: S.ShadowReportQuery, ok: { status: 200, schema: S.ShadowReport }, errors: ['INVALID_REQUEST'] },
  { method: 'post', path: '/v1/overrides', tag: 'rollout', access: 'admin', summary: 'Override an enforced FAIL: records who and why (append-only) and returns a new receipt marked override: true.',
    body: S.OverrideRequest, ok: { status: 201, schema: S.OverrideResponse }, errors: ['INVALID_REQUEST', 'NOT_FOUND', 'OVERRIDE_NOT_APPLICABLE'] },
  { method: 'get', path: '/v1/overrides', tag: 'rollout', access: 'admin', summary: 'Overrides, newest first, filtered by request_id or stage.',
    query: S.OverrideQuery, ok: { status: 200, schema: S.OverrideList }, errors: ['INVALID_REQUEST'] },
  { method: 'get', path: '/v1/reports/readiness', tag: 'rollout', access: 'admin', summary: 'Readiness (burn-in) report of a stage over a window, with the verdict against the configured thresholds.',
    query: S.ReadinessReportQuery, ok: { status: 200, schema: S.ReadinessReport }, errors: ['INVALID_REQUEST', 'STAGE_NOT_FOUND'] },
  { method: 'get', path: '/healthz', tag: 'operations', access: 'public', summary: 'The process is up.',
    ok: { status: 200, schema: S.Health }, errors: [] },
  { method: 'get', path: '/readyz', tag: 'operations', access: 'public', summary: 'Database reachable and packs loaded (503 NOT_READY otherwise).',
    ok: { status: 200, schema: S.Readiness }, errors: ['NOT_READY'] },
  { method: 'get', path: '/metrics', tag: 'operations', access: 'public', summary: 'Prometheus metrics.',
    ok: { status: 200, contentType: 'text/plain' }, errors: [] },
  { method: 'get', path: '/openapi.json', tag: 'operations', access: 'public', summary: 'This document.',
    ok: { status: 200, contentType: 'application/json' }, errors: [] },
  { method: 'get', path: '/docs', tag: 'operations', access: 'public', summary: 'Rendered API reference.',
    ok: { status: 200, contentType: 'text/html' }, errors: [] },
];

export function buildOpenApi(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) (paths[route.path] ??= {})[route.method] = operation(route);
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'gatehouse',
      version,
      description: 'Policy-as-data QA gate for AI-generated social content. Every error answers `{ error: { code, message, suggestedFix, details } }`.',
    },
    servers: [{ url: '/' }],
    components: {
      schemas: plain(S.components),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer <key>`.' } },
    },
    paths,
  };
}

function operation(route: RouteSpec): Record<string, unknown> {
  const content = { [route.ok.contentType ?? 'application/json']: route.ok.schema ? { schema: ref(route.ok.schema) } : {} };
  const responses: Record<string, unknown> = { [route.ok.status]: { description: 'OK', content } };
  if (route.ok.alsoCreated) responses['201'] = { description: 'Created', content };
  for (const code of [...route.errors, ...auth(route.access)]) {
    const status = String(HTTP_STATUS[code]);
    const existing = responses[status] as { description: string } | undefined;
    responses[status] = {
      description: existing ? `${existing.description}, ${code}` : code,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
    };
  }
  return {
    summary: route.summary,
    tags: [route.tag],
    operationId: `${route.method}${route.path.replace(/[^a-zA-Z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    ...(route.access === 'public' ? { security: [] } : { security: [{ bearer: [] }], 'x-required-role': route.access }),
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: ref(route.body) } } } } : {}),
    responses,
  };
}

function parameters(schema: TSchema | undefined, where: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  const required = new Set<string>(where === 'path' ? Object.keys(schema.properties ?? {}) : ((schema.required as string[]) ?? []));
  return Object.entries((schema.properties ?? {}) as Record<string, TSchema>).map(([name, s]) => ({
    name,
    in: where,
    required: required.has(name) && s.default === undefined,
    schema: plain(s),
  }));
}

const names = new Map<unknown, string>(Object.entries(S.components).map(([name, schema]) => [schema, name]));

function ref(schema: TSchema): unknown {
  const name = names.get(schema);
  return name ? { $ref: `#/components/schemas/${name}` } : plain(schema);
}

/** TypeBox schemas carry symbol keys; JSON round-trip leaves the plain JSON Schema. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
