/** /healthz and /readyz. */
import { Type } from '@sinclair/typebox';

export const Health = Type.Object({ status: Type.Literal('ok') });
export const Readiness = Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.Unknown()) });

export const opsComponents = { Health, Readiness } as const;
