import { Type } from '@sinclair/typebox';

/** A string enum that ajv reports as "must be one of a, b" rather than one error per literal. */
export function StringEnum<const T extends readonly string[]>(values: T, options: { description?: string; default?: T[number] } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}
