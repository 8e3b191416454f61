/** Stage pins: PUT /v1/stages/{stage}, the list and the history. */
import { Type } from '@sinclair/typebox';
import { MODES } from '../modes.js';
import { Label, ModeSchema, Nullable, StageName, StringEnum, Timestamp } from './common.js';

export const StageParams = Type.Object({ stage: StageName });
/** `pack@version` of a published version, evaluated beside the pin (shadow) and never answered. */
const ShadowRef = Type.String({
  pattern: '^[^@\\s]{1,100}@[^@\\s]{1,64}$',
  description: 'Shadow candidate `pack@version` (a published version); null clears it; omitted keeps the current one.',
});
export const PinRequest = Type.Object(
  {
    pack: Label(100, 'Pack id.'),
    version: Label(64, 'A published version of the pack.'),
    mode: Type.Optional(
      StringEnum(MODES, { description: 'Default: the stage’s current mode, or off for a new stage.' }),
    ),
    shadow: Type.Optional(Nullable(ShadowRef)),
  },
  { additionalProperties: false },
);
export const Stage = Type.Object({
  stage: Type.String(),
  pack: Type.String(),
  version: Type.String(),
  mode: ModeSchema,
  effective_mode: ModeSchema,
  shadow: Nullable(Type.String({ description: 'Shadow candidate `pack@version`, or null.' })),
  updated_at: Timestamp,
  updated_by: Type.String(),
});
export const StageList = Type.Object({ items: Type.Array(Stage), kill_switch: Type.Boolean(), mode_ceiling: ModeSchema });
const PinTarget = Type.Object({ pack: Type.String(), version: Type.String(), mode: ModeSchema, shadow: Type.Optional(Type.String({ description: 'Present when the stage carried a shadow candidate.' })) });
export const StageHistory = Type.Object({
  stage: Type.String(),
  items: Type.Array(
    Type.Object({ changed_at: Timestamp, changed_by: Type.String(), from: Nullable(PinTarget), to: PinTarget }),
  ),
});


export const stageComponents = { PinRequest, Stage, StageList, StageHistory } as const;
