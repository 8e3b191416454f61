/** The rollout's admin routes: kill switch, fleet attestation, shadow report (docs/rollout.md). */
import { Type } from '@sinclair/typebox';
import { ModeSchema, Nullable, StageName, StringEnum, Timestamp } from './common.js';

export const KillSwitchRequest = Type.Object(
  {
    engaged: Type.Boolean({ description: 'true: every stage runs off on every instance; false: back to the pinned modes.' }),
    reason: Type.String({ minLength: 1, maxLength: 1000, pattern: '\\S', description: 'Why; recorded with who and when.' }),
  },
  { additionalProperties: false },
);
const KillSwitchChange = Type.Object({
  engaged: Type.Boolean(),
  reason: Type.String(),
  changed_by: Type.String({ description: 'Label of the admin key.' }),
  changed_by_id: Type.String({ description: 'Id of the admin key.' }),
  changed_at: Timestamp,
});
export const KillSwitch = Type.Object({
  engaged: Type.Boolean({ description: 'Effective on the instance that answered.' }),
  sources: Type.Object({
    api: Type.Boolean({ description: 'Thrown through this API (shared by every instance).' }),
    environment: Type.Boolean({ description: 'GATEHOUSE_KILL_SWITCH=1 on the instance that answered; cannot be released through the API.' }),
  }),
  state: Nullable(KillSwitchChange),
  note: Type.Optional(Type.String()),
  history: Type.Array(KillSwitchChange, { description: 'Newest first.' }),
});

const FleetStage = Type.Object(
  {
    stage: Type.String(),
    pack: Type.String(),
    version: Type.String(),
    mode: ModeSchema,
    effective_mode: ModeSchema,
    shadow: Nullable(Type.String()),
    status: StringEnum(['serving', 'unavailable']),
    hash: Nullable(Type.String({ description: 'Hash of the compiled pack the instance serves.' })),
    error: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export const Fleet = Type.Object({
  generated_at: Timestamp,
  pins: Type.Array(
    Type.Object({ stage: Type.String(), pack: Type.String(), version: Type.String(), hash: Nullable(Type.String()), mode: ModeSchema, shadow: Nullable(Type.String()) }),
  ),
  kill_switch: Type.Object({ engaged: Type.Boolean() }),
  instances: Type.Array(
    Type.Object(
      {
        instance_id: Type.String({ description: 'hostname:pid:random' }),
        hostname: Type.String(),
        pid: Type.Integer(),
        version: Type.String(),
        started_at: Timestamp,
        last_seen_at: Timestamp,
        last_refresh_at: Nullable(Timestamp),
        stopped_at: Nullable(Timestamp),
        interval_ms: Type.Integer(),
        status: StringEnum(['live', 'stale', 'stopped'], { description: 'stale: not seen for more than three heartbeat intervals.' }),
        kill_switch: Type.Object({ engaged: Type.Boolean(), api: Type.Boolean(), environment: Type.Boolean() }),
        mode_ceiling: ModeSchema,
        stages: Type.Array(FleetStage),
        runtime: Type.Record(Type.String(), Type.Unknown()),
        in_sync: Type.Boolean(),
        mismatches: Type.Array(
          Type.Object({
            stage: Nullable(Type.String()),
            kind: StringEnum(['missing', 'version_mismatch', 'hash_mismatch', 'unavailable', 'mode_mismatch', 'kill_switch_mismatch']),
            expected: Type.String(),
            served: Nullable(Type.String()),
          }),
        ),
      },
      { additionalProperties: true },
    ),
  ),
  summary: Type.Object({ instances: Type.Integer(), live: Type.Integer(), stale: Type.Integer(), stopped: Type.Integer(), out_of_sync: Type.Integer() }),
});

export const ShadowReportQuery = Type.Object(
  {
    stage: StageName,
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    candidate: Type.Optional(Type.String({ pattern: '^[^@\\s]{1,100}@[^@\\s]{1,64}$', description: 'Only this candidate `pack@version`.' })),
    examples: Type.Integer({ minimum: 0, maximum: 20, default: 3, description: 'Examples per kind of change.' }),
  },
  { additionalProperties: false },
);
const ShadowEngineStatus = StringEnum(['PASS', 'FAIL']);
export const ShadowReport = Type.Object({
  stage: Type.String(),
  from: Nullable(Timestamp),
  to: Nullable(Timestamp),
  candidate: Nullable(Type.String()),
  compared: Type.Integer({ description: 'Evaluations compared (the candidate ran).' }),
  errors: Type.Integer({ description: 'Evaluations for which the candidate could not run.' }),
  same_decision: Type.Integer(),
  flips: Type.Object({ pass_to_fail: Type.Integer(), fail_to_pass: Type.Integer() }),
  codes_changed: Type.Integer({ description: 'Same decision, other codes.' }),
  codes: Type.Array(
    Type.Object({
      code: Type.String(),
      gained: Type.Integer(),
      lost: Type.Integer(),
      gained_in_pass_to_fail: Type.Integer(),
      lost_in_fail_to_pass: Type.Integer(),
    }),
  ),
  pairs: Type.Array(Type.Object({ policy: Type.String(), candidate: Type.String(), compared: Type.Integer(), errors: Type.Integer() })),
  first_at: Nullable(Timestamp),
  last_at: Nullable(Timestamp),
  examples: Type.Array(
    Type.Object({
      kind: StringEnum(['PASS_TO_FAIL', 'FAIL_TO_PASS', 'CODES_CHANGED']),
      request_id: Type.String(),
      created_at: Timestamp,
      policy: Type.String(),
      candidate: Type.String(),
      decision: ShadowEngineStatus,
      shadow_decision: ShadowEngineStatus,
      gained: Type.Array(Type.String()),
      lost: Type.Array(Type.String()),
      evidence: Type.Array(
        Type.Object({
          side: StringEnum(['candidate', 'pinned']),
          code: Type.String(),
          post: Type.Optional(Type.Integer()),
          evidence: Type.Optional(Type.String({ description: 'Masked.' })),
        }),
      ),
      content: Type.Optional(Nullable(Type.String({ description: 'Only when GATEHOUSE_AUDIT_STORE_CONTENT is on.' }))),
    }),
  ),
});


export const rolloutComponents = { KillSwitchRequest, KillSwitch, Fleet, ShadowReport } as const;
