/** Published pack versions. */
import { Type } from '@sinclair/typebox';
import { Timestamp } from './common.js';

export const PackVersion = Type.Object({ pack: Type.String(), version: Type.String(), hash: Type.String(), published_at: Timestamp });
export const PackList = Type.Object({ items: Type.Array(PackVersion) });
export const PackVersions = Type.Object({ pack: Type.String(), items: Type.Array(PackVersion) });
export const PackParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const packComponents = { PackVersion, PackList, PackVersions } as const;
