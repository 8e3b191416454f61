// /openapi.json complete and clean (issue 16): every route the app serves is in it (the event
// stream as text/event-stream with its payload schema), components are referenced rather than
// inlined, every example fits its schema, Swagger UI gets no jsonSchemaDialect to warn about,
// and `redocly lint` (its recommended rules) reports no error and no warning.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gatehouse } from '../../../server/compose.js';
import { useDatabase } from '../../helpers/databases.js';
import { buildGatehouse } from '../api/harness.js';

const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const ROOT = path.resolve(import.meta.dirname, '../../..');

type Doc = {
  openapi: string;
  jsonSchemaDialect?: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, unknown> };
};
type Media = { schema?: unknown; example?: unknown; examples?: Record<string, { value: unknown }> };
type Operation = { requestBody?: { content: Record<string, Media> }; responses: Record<string, { $ref?: string; content?: Record<string, Media> }> };

const database = useDatabase('pglite');
let gh: Gatehouse;
let doc: Doc;

beforeAll(async () => {
  gh = await buildGatehouse(database().db);
  doc = (await request(gh.app).get('/openapi.json')).body as Doc;
});
afterAll(async () => {
  await gh?.close();
});

/** Every route registered on the Express app, as `get /a/{b}`. */
function servedRoutes(app: Gatehouse['app']): string[] {
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const found: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) for (const method of Object.keys(layer.route.methods)) found.push(`${method} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return [...new Set(found)].sort();
}

/** Every node of a JSON value with its JSON pointer. */
function* nodes(value: unknown, at = '#'): Generator<[string, unknown]> {
  yield [at, value];
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) yield* nodes(child, `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  }
}

describe('/openapi.json', () => {
  it('documents exactly the routes the app serves', () => {
    const documented = Object.entries(doc.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m} ${p}`)).sort();
    expect(documented).toEqual(servedRoutes(gh.app));
  });

  it('describes GET /v1/events as text/event-stream whose events carry the StreamedDecision schema', () => {
    const content = doc.paths['/v1/events']!.get!.responses['200']!.content!;
    expect(Object.keys(content)).toEqual(['text/event-stream']);
    const schema = content['text/event-stream']!.schema as { items: { properties: { event: unknown; data: unknown } } };
    expect(schema.items.properties.event).toEqual({ const: 'enforcement' });
    expect(schema.items.properties.data).toEqual({ $ref: '#/components/schemas/StreamedDecision' });
    expect(doc.paths['/v1/dashboard/stats']!.get!.responses['200']!.content!['application/json']!.schema).toEqual({ $ref: '#/components/schemas/DashboardStats' });
  });

  it('references every component and inlines none', () => {
    const texts = new Map(Object.entries(doc.components.schemas).map(([name, schema]) => [JSON.stringify(schema), name]));
    const inlined: string[] = [];
    const refs = new Set<string>();
    for (const [at, node] of nodes(doc)) {
      if (node === null || typeof node !== 'object') continue;
      if (typeof (node as { $ref?: unknown }).$ref === 'string') refs.add((node as { $ref: string }).$ref);
      const name = texts.get(JSON.stringify(node));
      if (name && at !== `#/components/schemas/${name}` && !/\/examples?(\/|$)/.test(at)) inlined.push(`${name} at ${at}`);
    }
    expect(inlined).toEqual([]);
    const unused = Object.keys(doc.components.schemas).filter((name) => !refs.has(`#/components/schemas/${name}`));
    expect(unused).toEqual([]);
  });

  it('has no jsonSchemaDialect for Swagger UI to warn about', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.jsonSchemaDialect).toBeUndefined();
  });

  it('gives every request body an example, and every example fits its schema', () => {
    const ajv = new Ajv2020({ strict: false, discriminator: true });
    addFormats(ajv);
    // Validate against the document's own components, as a reader of /openapi.json would.
    ajv.addSchema({ $id: 'openapi', components: doc.components } as object);
    const resolve = (schema: unknown) => JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi#/components/')) as object;
    let checked = 0;
    for (const [p, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        if (op.requestBody) expect(op.requestBody.content['application/json']!.example, `${method} ${p} request example`).toBeDefined();
        const media = [
          ...Object.values(op.requestBody?.content ?? {}),
          ...Object.values(op.responses).flatMap((r) => Object.values((r.$ref ? doc.components.responses[r.$ref.split('/').pop()!] as { content: Record<string, Media> } : r).content ?? {})),
        ];
        for (const m of media) {
          if (!m.schema) continue;
          const validate = ajv.compile(resolve(m.schema));
          for (const example of [...(m.example === undefined ? [] : [m.example]), ...Object.values(m.examples ?? {}).map((e) => e.value)]) {
            checked++;
            expect(validate(example), `${method} ${p}: ${JSON.stringify(validate.errors)}`).toBe(true);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('passes `redocly lint` with 0 errors and 0 warnings', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-openapi-'));
    try {
      const file = path.join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(doc, null, 2));
      const lint = spawnSync(path.join(ROOT, 'node_modules/.bin/redocly'), ['lint', file, '--format=json'], { encoding: 'utf8', timeout: 120_000 });
      const report = JSON.parse(lint.stdout) as { totals: { errors: number; warnings: number }; problems: Array<{ ruleId: string; message: string }> };
      expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
