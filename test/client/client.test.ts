// The typed client against a real gatehouse over HTTP: every call, the modes, and errors as GatehouseError.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GatehouseClient, GatehouseError, formatEnforcementEvent, parseEnforcementEvent, toEnforcementEvent,
} from '../../client/index.js';
import { AgentRunResponse } from '../../contract/schemas/audit.js';
import { Decision, EvaluateResponse } from '../../contract/schemas/evaluations.js';
import { Jwks, VerifyResponse } from '../../contract/schemas/receipts.js';
import { StageHistory, StageList } from '../../contract/schemas/stages.js';
import { useDatabase } from '../helpers/databases.js';
import { CONTENT, conforms } from '../server/api/harness.js';
import { startGatehouse, type LiveGatehouse } from './live.js';

const database = useDatabase('pglite');
let live: LiveGatehouse;

beforeAll(async () => {
  live = await startGatehouse(database().db);
});
afterAll(() => live?.close());

/** The rejection of `promise`, which must be a GatehouseError. */
async function failure(promise: Promise<unknown>): Promise<GatehouseError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatehouseError);
  return error as GatehouseError;
}

describe('GatehouseClient.evaluate', () => {
  it.each([
    ['off', CONTENT.profane, 'SKIPPED', true, undefined],
    ['advisory', CONTENT.pass, 'PASS', true, undefined],
    ['advisory', CONTENT.profane, 'FAIL', true, undefined],
    ['enforced', CONTENT.pass, 'PASS', true, undefined],
    ['enforced', CONTENT.profane, 'FAIL', false, 'QA_REJECTED'],
    ['enforced', CONTENT.threat, 'FAIL', false, 'HARMFUL_CONTENT'],
  ] as const)('%s, %j → %s (allowed %s)', async (mode, content, decision, allowed, code) => {
    const answer = await live.client.evaluate({ content, stage: `t-${mode}`, workflow_id: 'wf-client', agent: 'writer' });
    conforms(EvaluateResponse, answer);
    expect(answer).toMatchObject({ stage: `t-${mode}`, mode, decision, allowed, audit_ok: true, policy: { pack: 'qa', version: '2.0.0' } });
    expect(answer.error?.code).toBe(code);
    if (code) expect(answer.error!.suggestedFix).toEqual(expect.any(String));
    if (mode === 'advisory' && decision === 'FAIL') expect(answer.warnings.map((w) => w.code)).toContain('PROFANITY');

    const stored = await live.client.getDecision(answer.request_id);
    conforms(Decision, stored);
    const { receipt: _receipt, ...decisionOnly } = answer;
    expect(stored).toEqual(decisionOnly);

    const verified = await live.client.verifyReceipt(answer.receipt, content);
    conforms(VerifyResponse, verified);
    expect(verified).toMatchObject({ valid: true, allowed_to_post: allowed, claims: { jti: answer.receipt_id, sub: answer.request_id, mode, decision } });

    // The enforcement event of a real decision survives format → parse.
    expect(parseEnforcementEvent(formatEnforcementEvent(answer))).toEqual(toEnforcementEvent(answer));
  });

  it('follows a stage pin: the next evaluation runs under the new mode', async () => {
    const pinned = await live.admin.pinStage('t-pin', { pack: 'qa', version: '2.0.0', mode: 'advisory' });
    expect(pinned).toMatchObject({ stage: 't-pin', pack: 'qa', version: '2.0.0', mode: 'advisory', effective_mode: 'advisory' });
    expect(await live.client.evaluate({ content: CONTENT.profane, stage: 't-pin' })).toMatchObject({ mode: 'advisory', allowed: true });

    await live.admin.pinStage('t-pin', { pack: 'qa', version: '2.0.0', mode: 'enforced' });
    expect(await live.client.evaluate({ content: CONTENT.profane, stage: 't-pin' })).toMatchObject({ mode: 'enforced', allowed: false });

    const stages = await live.client.listStages();
    conforms(StageList, stages);
    expect(stages.items.find((s) => s.stage === 't-pin')).toMatchObject({ mode: 'enforced' });
    expect(stages).toMatchObject({ kill_switch: false, mode_ceiling: 'enforced' });
    const history = await live.client.stageHistory('t-pin');
    conforms(StageHistory, history);
    expect(history.items.map((i) => i.to.mode)).toEqual(['enforced', 'advisory']);
  });
});

describe('GatehouseClient: receipts, telemetry, keys', () => {
  it('verifyReceipt refuses other content with a typed RECEIPT_CONTENT_MISMATCH', async () => {
    const answer = await live.client.evaluate({ content: CONTENT.pass, stage: 't-enforced' });
    const error = await failure(live.client.verifyReceipt(answer.receipt, 'something else'));
    expect(error).toMatchObject({ code: 'RECEIPT_CONTENT_MISMATCH', status: 422, details: { receipt_id: answer.receipt_id } });
    expect(error.suggestedFix).toMatch(/evaluate this exact content/);
    expect(error.requestId).toEqual(expect.any(String));
    expect(await failure(live.client.verifyReceipt(undefined, CONTENT.pass))).toMatchObject({ code: 'ENFORCEMENT_RECEIPT_REQUIRED', status: 428 });
  });

  it('reportAgentRun records a run, and refuses a bad one with INVALID_REQUEST details', async () => {
    const run = { workflow_id: 'wf-client', agent: 'writer', start_ms: 1_700_000_000_000, end_ms: 1_700_000_001_500, success: true };
    const recorded = await live.client.reportAgentRun(run);
    conforms(AgentRunResponse, recorded);
    expect(recorded).toEqual({ ...run, failure_reason: null, caller: expect.any(String) });

    const error = await failure(live.client.reportAgentRun({ ...run, end_ms: run.start_ms - 1 }));
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', status: 400, details: [{ path: '/end_ms' }] });
  });

  it('jwks() serves the keys that sign receipts', async () => {
    const jwks = await live.client.jwks();
    conforms(Jwks, jwks);
    expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid: expect.any(String) });
    expect(live.client.jwksUrl.href).toBe(`${live.url}/.well-known/jwks.json`);
  });
});

describe('GatehouseClient: errors are GatehouseError with the canonical code and suggestedFix', () => {
  it.each([
    ['an unpinned stage', () => live.client.evaluate({ content: 'hello', stage: 'nowhere' }), 'STAGE_NOT_FOUND', 404],
    ['a bad request', () => live.client.evaluate({ content: [], stage: 't-off' } as never), 'INVALID_REQUEST', 400],
    ['an unknown decision', () => live.client.getDecision('00000000-0000-4000-8000-000000000000'), 'NOT_FOUND', 404],
    ['a bad key', () => new GatehouseClient({ baseUrl: live.url, apiKey: 'not-a-valid-key-at-all' }).listStages(), 'UNAUTHORIZED', 401],
    ['no key', () => new GatehouseClient({ baseUrl: live.url }).listStages(), 'UNAUTHORIZED', 401],
    ['an evaluator pinning', () => live.client.pinStage('t-off', { pack: 'qa', version: '2.0.0' }), 'FORBIDDEN', 403],
    ['an unknown pack version', () => live.admin.pinStage('t-new', { pack: 'qa', version: '9.9.9' }), 'POLICY_VERSION_NOT_FOUND', 404],
  ])('%s → %s', async (_name, call, code, status) => {
    const error = await failure(call());
    expect(error).toMatchObject({ name: 'GatehouseError', code, status });
    expect(error.message).toEqual(expect.any(String));
    expect(error.suggestedFix.length).toBeGreaterThan(10);
    expect(error.toJSON()).toEqual({ error: { code, message: error.message, suggestedFix: error.suggestedFix, details: error.details } });
  });
});
