/**
 * Building blocks shared by the feature schemas: nullable values, timestamps,
 * string enums, stage names, spans, the error shape and the content field.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { DECISION_STATUSES } from '../decision-status.js';
import { MODES } from '../modes.js';

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const Timestamp = Type.String({ format: 'date-time' });

export const STAGE_PATTERN = '^[a-z0-9][a-z0-9_-]{0,63}$';
/** A string enum as `{ type: 'string', enum }` (one clear error message, not one per anyOf branch). */
export function StringEnum<const T extends readonly string[]>(values: T, options: { description?: string } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

export const ModeSchema = StringEnum(MODES);
export const DecisionStatusSchema = StringEnum(DECISION_STATUSES);
export const StageName = Type.String({ pattern: STAGE_PATTERN, description: 'Rollout stage, e.g. dev, staging, prod.' });
/** [start, end) in UTF-16 units, as a 2020-12 tuple (TypeBox's Tuple emits the draft-07 `items: [...]` form). */
export const Span = Type.Unsafe<[number, number]>({
  type: 'array',
  prefixItems: [{ type: 'integer' }, { type: 'integer' }],
  items: false,
  minItems: 2,
  maxItems: 2,
  description: '[start, end) in UTF-16 units.',
});
export const Label = (maxLength: number, description: string) => Type.String({ minLength: 1, maxLength, description });

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Canonical code, e.g. INVALID_REQUEST, STAGE_NOT_FOUND.' }),
      message: Type.String(),
      suggestedFix: Type.String(),
      details: Type.Unknown({ description: 'For INVALID_REQUEST: [{ path, message }].' }),
    }),
  },
  { description: 'The one error shape of the API.' },
);

export const Content = Type.Union(
  [Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })],
  { description: 'A string is split into posts by the pack’s thread rules; an array is a thread, one post per item.' },
);

/** Published under components/schemas. */
export const commonComponents = { ErrorBody } as const;
