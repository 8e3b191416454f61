/**
 * One ajv (JSON Schema 2020-12) over the schemas of ./schemas.ts; failures
 * become INVALID_REQUEST with `details: [{ path, message }]`.
 */
import Ajv2020Module, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Static, TSchema } from '@sinclair/typebox';
import { AppError } from '../errors.js';

// ajv and ajv-formats are CommonJS with a default export.
const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const MAX_DETAILS = 20;

function makeAjv(coerceTypes: boolean) {
  const ajv = new Ajv2020({ allErrors: true, removeAdditional: false, useDefaults: coerceTypes, coerceTypes, strict: false });
  addFormats(ajv);
  return ajv;
}

// Bodies are JSON and must have the right types; query strings and path parameters are text, coerced to the schema.
const bodyAjv = makeAjv(false);
const textAjv = makeAjv(true);
const cache = { body: new WeakMap<TSchema, ValidateFunction>(), text: new WeakMap<TSchema, ValidateFunction>() };

export interface Issue {
  path: string;
  message: string;
}

function compile(kind: 'body' | 'text', schema: TSchema): ValidateFunction {
  let fn = cache[kind].get(schema);
  if (!fn) cache[kind].set(schema, (fn = (kind === 'body' ? bodyAjv : textAjv).compile(schema)));
  return fn;
}

/** A JSON body, checked as is; returns it typed. */
export function validateBody<T extends TSchema>(schema: T, value: unknown, where = 'body'): Static<T> {
  const fn = compile('body', schema);
  if (!fn(value)) throw invalid(where, fn.errors ?? []);
  refuseIllFormedText(value, where);
  return value as Static<T>;
}

/** Query or path parameters: copied, coerced to the schema's types, defaults applied. */
export function validateText<T extends TSchema>(schema: T, value: unknown, where: 'query' | 'params'): Static<T> {
  const copy = { ...(value as object) };
  const fn = compile('text', schema);
  if (!fn(copy)) throw invalid(where, fn.errors ?? []);
  refuseIllFormedText(copy, where);
  return copy as Static<T>;
}

/**
 * U+0000 and unpaired UTF-16 surrogates (`"\ud800"` is valid JSON) are refused in every
 * string and key. PostgreSQL accepts neither in text or jsonb, so one such string would fail
 * the audit batch it is group-committed with, other callers' rows included; and an unpaired
 * surrogate hashes as U+FFFD, so two different contents would share one receipt.
 */
const ILL_FORMED = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const ILL_FORMED_MESSAGE = 'must be well-formed Unicode text: no NUL (U+0000) and no unpaired surrogate (\\ud800-\\udfff)';

function refuseIllFormedText(value: unknown, where: string): void {
  // Almost every body is well-formed: look first without building a path per node (issue 14).
  if (!hasIllFormedText(value)) return;
  const details: Issue[] = [];
  // Iterative: bodies are depth-limited, but this also runs on query objects and responses.
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0 && details.length < MAX_DETAILS) {
    const [item, path] = stack.pop()!;
    if (typeof item === 'string') {
      if (ILL_FORMED.test(item)) details.push({ path, message: ILL_FORMED_MESSAGE });
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], `${path}/${i}`]);
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item)) {
        if (ILL_FORMED.test(key)) details.push({ path, message: `has a key that ${ILL_FORMED_MESSAGE}` });
        else stack.push([child, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`]);
      }
    }
  }
  if (details.length > 0) {
    throw new AppError('INVALID_REQUEST', `Invalid ${where}: ${details[0]!.path || where} ${details[0]!.message}.`, { details });
  }
}

/** Whether any string or key in the value is ill-formed: refuseIllFormedText's walk, without the paths. */
function hasIllFormedText(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (ILL_FORMED.test(item)) return true;
    } else if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) stack.push(item[i]);
    } else if (typeof item === 'object' && item !== null) {
      for (const key of Object.keys(item)) {
        if (ILL_FORMED.test(key)) return true;
        stack.push((item as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

function invalid(where: string, errors: ErrorObject[]): AppError {
  const details = toIssues(errors).slice(0, MAX_DETAILS);
  const first = details[0];
  const summary = first ? `${first.path || where}: ${first.message}` : 'invalid';
  return new AppError('INVALID_REQUEST', `Invalid ${where}: ${summary}.`, { details });
}

/** ajv errors → `[{ path, message }]` with JSON-pointer paths that name the offending field. */
export function toIssues(errors: ErrorObject[]): Issue[] {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    let path = e.instancePath;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') path += `/${String(e.params.missingProperty)}`;
    if (e.keyword === 'additionalProperties') {
      path += `/${String(e.params.additionalProperty)}`;
      message = 'is not allowed';
    }
    if (e.keyword === 'enum' || e.keyword === 'const') message = describeAllowed(e);
    // anyOf repeats its branches' errors: keep one line per path and message.
    const key = `${path}\u0000${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push({ path, message });
    }
  }
  return issues;
}

function describeAllowed(e: ErrorObject): string {
  const values = e.keyword === 'const' ? [e.params.allowedValue] : (e.params.allowedValues as unknown[]);
  return `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
}
