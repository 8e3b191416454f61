/** /healthz and /readyz. */
import { Type } from '@sinclair/typebox';

export const Health = Type.Object({ status: Type.Literal('ok') });
export const Readiness = Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.Unknown()) });

export const opsComponents = { Health, Readiness } as const;

/** `{file}` of the static routes (/schemas/{file}, /dashboard/{file}, /docs/assets/{file}). */
export const FileParams = Type.Object({ file: Type.String({ minLength: 1, description: 'A file name, e.g. pack.json.' }) });
