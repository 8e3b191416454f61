/**
 * ajv validation of pack documents, with errors turned into located,
 * human-sized issues (`checks[2].severity: must be one of block, warn`).
 */
import Ajv2020Module, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { TSchema } from '@sinclair/typebox';
import { formatPath, type PackIssue } from './errors.js';

// ajv and ajv-formats are CommonJS with a default export.
const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const ajv = new Ajv2020({ allErrors: true, discriminator: true, strict: false });
addFormats(ajv);

const compiled = new WeakMap<TSchema, ValidateFunction>();

export type Path = (string | number)[];

export interface SchemaIssue extends PackIssue {
  /** Where the problem is, as a path into the document (for locating it in the source). */
  at: Path;
}

export function validateAgainst(schema: TSchema, data: unknown): SchemaIssue[] {
  let validate = compiled.get(schema);
  if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
  if (validate(data)) return [];
  return simplify(validate.errors ?? []);
}

function toPath(instancePath: string): Path {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function describe(error: ErrorObject): { at: Path; message: string } {
  const at = toPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'enum':
      return { at, message: `must be one of ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'const':
      return { at, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'required':
      return { at, message: `missing required property "${String(params.missingProperty)}"` };
    case 'additionalProperties':
      return {
        at: [...at, String(params.additionalProperty)],
        message: `unknown property "${String(params.additionalProperty)}"`,
      };
    case 'discriminator':
      return { at: [...at, 'type'], message: `unknown detector type; ${error.message ?? ''}`.trim() };
    default:
      return { at, message: error.message ?? 'is invalid' };
  }
}

/** Drop the noise of anyOf/oneOf: keep the most specific errors, one per path and message. */
function simplify(errors: ErrorObject[]): SchemaIssue[] {
  const meaningful = errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf' && e.keyword !== 'if');
  const source = meaningful.length > 0 ? meaningful : errors;
  const seen = new Set<string>();
  const issues: SchemaIssue[] = [];
  for (const error of source) {
    const { at, message } = describe(error);
    const path = formatPath(at);
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ at, path: path || undefined, message });
  }
  return issues;
}
