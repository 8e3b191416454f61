/**
 * /openapi.json (OpenAPI 3.1), generated from the route table below and the
 * TypeBox schemas that validate the requests, so the document and the
 * checks are the same objects.
 */
import type { TSchema } from '@sinclair/typebox';
import { DEFAULT_MESSAGES, ERROR_CODES, HTTP_STATUS, type ErrorCode } from '../../contract/error-codes.js';
import * as S from '../../contract/schemas/index.js';
import { EXAMPLES, SSE_EVENTS, SSE_EXAMPLE } from './openapi-examples.js';

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
  ok: { status: number; schema?: TSchema; contentType?: string; alsoCreated?: boolean; /** text/event-stream: the data of each event. */ events?: TSchema };
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
  { method: 'get', path: '/v1/events', tag: 'dashboard', access: 'admin',
    summary: 'Every answered decision as a Server-Sent Event (`event: enforcement`, `data:` one line of JSON), with a `: heartbeat` comment every 15 s. Send the Authorization header (fetch, not EventSource).',
    ok: { status: 200, contentType: 'text/event-stream', events: S.StreamedDecision }, errors: ['OVERLOADED'] },
  { method: 'get', path: '/v1/dashboard/stats', tag: 'dashboard', access: 'admin', summary: 'Decisions, rejection rate, latency percentiles and top violation codes of a stage (or all) over a window, in buckets.',
    query: S.StatsQueryParams, ok: { status: 200, schema: S.DashboardStats }, errors: ['INVALID_REQUEST'] },
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
  { method: 'get', path: '/docs/init.js', tag: 'operations', access: 'public', summary: 'The script that starts the rendered API reference.',
    ok: { status: 200, contentType: 'application/javascript' }, errors: [] },
  { method: 'get', path: '/docs/assets/{file}', tag: 'operations', access: 'public', summary: 'Swagger UI files of the rendered API reference.',
    params: S.FileParams, ok: { status: 200, contentType: 'application/octet-stream' }, errors: ['NOT_FOUND'] },
  { method: 'get', path: '/schemas/{file}', tag: 'packs', access: 'public', summary: 'JSON Schema of a pack file (pack.json, lexicon.json, phrases.json, pack-test.json), served at the path of its $id for editors.',
    params: S.FileParams, ok: { status: 200, contentType: 'application/schema+json' }, errors: ['NOT_FOUND'] },
  { method: 'get', path: '/dashboard', tag: 'dashboard', access: 'public', summary: 'The dashboard page (it signs in with an admin key, kept in the tab).',
    ok: { status: 200, contentType: 'text/html' }, errors: [] },
  { method: 'get', path: '/dashboard/{file}', tag: 'dashboard', access: 'public', summary: 'The dashboard’s scripts, styles and icon.',
    params: S.FileParams, ok: { status: 200, contentType: 'application/octet-stream' }, errors: ['NOT_FOUND'] },
];

/**
 * Answered by the HTTP server itself on any route, before routing: an oversized head, a
 * request not received in time, bad HTTP, and a connection over the cap (server/http/connections.ts).
 */
const SERVER_WIDE: ErrorCode[] = ['HEADERS_TOO_LARGE', 'REQUEST_TIMEOUT', 'OVERLOADED'];

const TAGS = [
  { name: 'evaluations', description: 'Evaluate content under a stage’s pinned pack version and mode; read a stored decision.' },
  { name: 'receipts', description: 'Signed receipts of decisions and the keys that verify them.' },
  { name: 'packs', description: 'Published rule pack versions and the schemas of pack files.' },
  { name: 'stages', description: 'Stage pins: pack version and mode per stage, with history.' },
  { name: 'audit', description: 'The append-only audit trail and agent-run telemetry.' },
  { name: 'rollout', description: 'Kill switch, fleet, shadow comparison, overrides and readiness.' },
  { name: 'dashboard', description: 'The dashboard page and the live and aggregate data it reads.' },
  { name: 'operations', description: 'Health, readiness, metrics and this document.' },
];

export function buildOpenApi(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) (paths[route.path] ??= {})[route.method] = operation(route);
  const schemas = plain(S.components) as Record<string, unknown>;
  const doc = {
    // No jsonSchemaDialect: 3.1's default dialect (the OAS base vocabulary over draft 2020-12) is what the
    // schemas are, and Swagger UI warns on any other value.
    openapi: '3.1.0',
    info: {
      title: 'gatehouse',
      version,
      description: 'Policy-as-data QA gate for AI-generated social content. Every error answers `{ error: { code, message, suggestedFix, details } }`.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/', description: 'This gatehouse instance' }],
    tags: TAGS,
    components: {
      schemas,
      responses: Object.fromEntries(SERVER_WIDE.map((code) => [pascal(code), errorResponse([code])])),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer <key>`.' } },
    },
    paths,
  };
  return referenceComponents(doc, schemas);
}

function operation(route: RouteSpec): Record<string, unknown> {
  const responses: Record<string, unknown> = { [route.ok.status]: { description: 'OK', content: okContent(route) } };
  if (route.ok.alsoCreated) responses['201'] = { description: 'Created', content: okContent(route) };
  const byStatus = new Map<string, ErrorCode[]>();
  for (const code of [...route.errors, ...auth(route.access)]) byStatus.set(String(HTTP_STATUS[code]), [...(byStatus.get(String(HTTP_STATUS[code])) ?? []), code]);
  for (const [status, codes] of byStatus) responses[status] = errorResponse(codes);
  for (const code of SERVER_WIDE) responses[String(HTTP_STATUS[code])] ??= { $ref: `#/components/responses/${pascal(code)}` };
  return {
    summary: route.summary,
    tags: [route.tag],
    operationId: `${route.method}${route.path.replace(/[^a-zA-Z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    ...(route.access === 'public' ? { security: [] } : { security: [{ bearer: [] }], 'x-required-role': route.access }),
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': media(route.body) } } } : {}),
    responses,
  };
}

function okContent(route: RouteSpec): Record<string, unknown> {
  const type = route.ok.contentType ?? 'application/json';
  if (route.ok.events) {
    return {
      [type]: {
        // OpenAPI 3.1 has no item schema for streams: the stream is described as the sequence of its events.
        schema: {
          type: 'array',
          description:
            'The stream, as a sequence of events: each is written as `event:`, `id:` and `data:` lines (data is one line of JSON) and a blank line; ' +
            `comment lines keep idle connections open. On the wire:\n\n\`\`\`\n${SSE_EXAMPLE}\`\`\``,
          items: {
            type: 'object',
            required: ['event', 'id', 'data'],
            properties: {
              event: { const: 'enforcement' },
              id: { type: 'string', description: 'The decision’s request_id.' },
              data: ref(route.ok.events),
            },
          },
        },
        example: SSE_EVENTS,
      },
    };
  }
  return { [type]: route.ok.schema ? media(route.ok.schema) : {} };
}

function errorResponse(codes: ErrorCode[]): Record<string, unknown> {
  const example = (code: ErrorCode) => ({ error: { code, message: DEFAULT_MESSAGES[code] ?? code, suggestedFix: ERROR_CODES[code], details: {} } });
  return {
    description: codes.join(', '),
    content: {
      'application/json': {
        schema: { $ref: '#/components/schemas/ErrorBody' },
        examples: Object.fromEntries(codes.map((code) => [code, { value: example(code) }])),
      },
    },
  };
}

/** A body's schema, by reference when it is a component, with its example when there is one. */
function media(schema: TSchema): Record<string, unknown> {
  const name = names.get(schema);
  return { schema: ref(schema), ...(name && EXAMPLES[name] !== undefined ? { example: EXAMPLES[name] } : {}) };
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

/**
 * Schemas are TypeBox objects nested in each other, so a component used inside another comes out
 * inlined: every subschema equal to a component (other than that component itself) becomes a $ref.
 */
function referenceComponents<T>(doc: T, schemas: Record<string, unknown>): T {
  const byText = new Map<string, string>();
  for (const [name, schema] of Object.entries(schemas)) if (!byText.has(JSON.stringify(schema))) byText.set(JSON.stringify(schema), name);
  const walk = (node: unknown, own?: string): unknown => {
    if (Array.isArray(node)) return node.map((item) => walk(item));
    if (node === null || typeof node !== 'object') return node;
    const name = byText.get(JSON.stringify(node));
    if (name && name !== own) return { $ref: `#/components/schemas/${name}` };
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, key === 'example' || key === 'examples' ? value : walk(value)]));
  };
  const out = walk(doc) as { components: { schemas: Record<string, unknown> } };
  out.components.schemas = Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, walk(schema, name)]));
  return out as T;
}

/** HEADERS_TOO_LARGE → HeadersTooLarge. */
function pascal(code: string): string {
  return code.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
}

/** TypeBox schemas carry symbol keys; JSON round-trip leaves the plain JSON Schema. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
