/**
 * Examples for /openapi.json, by component name: what the service really answers (taken from
 * the README walkthrough, abridged), so that /docs shows a decision instead of "string".
 * test/server/ops/openapi.test.ts validates each one against its schema.
 */
const POLICY = { pack: 'qa', version: '2.0.0', hash: 'sha256:75c5e7cb98b47e88bc2646ad1e563679ca6677fa44f6b8bfd5929a4211ac5c9b' };
const REQUEST_ID = 'fbe4175c-9644-4600-b060-5c62e5139ef1';
const RECEIPT_ID = '0f53a125-1462-4f09-940f-435810b8b76c';
const RECEIPT = 'eyJhbGciOiJFZERTQSIsImtpZCI6IlE1WnRvWkw0MHg1TU1TZEpVeGFJcEhGZnBBbDJ5Z3BkWU1oc1c1U3VISjAifQ.eyJpc3MiOiJnYXRlaG91c2UifQ.fp4fC5yN';
const AT = '2026-12-02T14:52:36.000Z';

const VIOLATION = {
  code: 'PROFANITY',
  check: 'profanity',
  severity: 'block',
  category: 'profanity',
  post: 0,
  message: 'Post 1 contains profanity (f*******g).',
  suggestedFix: 'Replace or remove "f*******g"; the sanitized text shows it masked.',
  span: [15, 24],
  evidence: 'f*******g',
  revealed_by: ['repeats'],
};

const CLAIMS = {
  stage: 'prod',
  platform: 'x',
  mode: 'enforced',
  pack: 'qa',
  policy_version: '2.0.0',
  policy_hash: POLICY.hash,
  decision: 'PASS',
  allowed: true,
  content_sha256: '1bea880dc4d624b45fd4d9ce9d7e193dbac5847f3e56832728e0efeb64d8c7c4',
  content_kind: 'text',
  iss: 'gatehouse',
  jti: RECEIPT_ID,
  sub: REQUEST_ID,
  iat: 1796223164,
  exp: 1796309564,
};

const STAGE = {
  stage: 'prod',
  pack: 'qa',
  version: '2.0.0',
  mode: 'enforced',
  effective_mode: 'enforced',
  shadow: null,
  updated_at: AT,
  updated_by: 'admin-9e0cc85b',
};

const STREAMED = {
  request_id: REQUEST_ID,
  receipt_id: RECEIPT_ID,
  mode: 'enforced',
  qa_summary: { status: 'FAIL', allowed: false, stage: 'prod', pack: 'qa', policy_version: '2.0.0', violation_codes: ['PROFANITY'], warning_codes: [], error_code: 'QA_REJECTED' },
  audit_ok: true,
  stage: 'prod',
  policy: POLICY,
  decision: 'FAIL',
  allowed: false,
  violation_codes: ['PROFANITY'],
  error: { code: 'QA_REJECTED', message: 'Blocked by 1 violation: PROFANITY.', suggestedFix: VIOLATION.suggestedFix },
  created_at: AT,
  workflow_id: 'wf-1',
  agent: 'writer',
};

export const EXAMPLES: Record<string, unknown> = {
  EvaluateRequest: { stage: 'prod', workflow_id: 'wf-1', agent: 'writer', platform: 'x', content: 'This launch is fuuucking great.' },
  EvaluateResponse: {
    request_id: REQUEST_ID,
    receipt_id: RECEIPT_ID,
    stage: 'prod',
    mode: 'enforced',
    policy: POLICY,
    decision: 'FAIL',
    checks: ['profanity', 'violent-threat', 'self-harm', 'post-length'],
    allowed: false,
    violations: [VIOLATION],
    required_edits: [{ check: 'profanity', code: 'PROFANITY', post: 0, action: 'replace', span: [15, 24], replacement: 'f*******g' }],
    warnings: [],
    sanitized: ['This launch is f*******g great.'],
    audit_ok: true,
    error: { code: 'QA_REJECTED', message: 'Blocked by 1 violation: PROFANITY.', suggestedFix: VIOLATION.suggestedFix, details: { violations: [VIOLATION] } },
    receipt: RECEIPT,
  },
  VerifyRequest: { receipt: RECEIPT, content: 'Our new release ships today. Thanks to everyone who tested it!', stage: 'prod', platform: 'x' },
  VerifyResponse: { valid: true, allowed_to_post: true, override: false, claims: CLAIMS },
  PackList: { items: [{ pack: 'qa', version: '2.0.0', hash: POLICY.hash, published_at: AT }] },
  PinRequest: { pack: 'qa', version: '2.0.0', mode: 'advisory' },
  Stage: STAGE,
  StageList: { items: [STAGE], kill_switch: false, mode_ceiling: 'enforced' },
  AgentRunRequest: { workflow_id: 'wf-1', agent: 'writer', start_ms: 1796223150000, end_ms: 1796223162000, success: true },
  AgentRunResponse: { workflow_id: 'wf-1', agent: 'writer', start_ms: 1796223150000, end_ms: 1796223162000, success: true, failure_reason: null, caller: 'evaluator-3f2a9c1d' },
  KillSwitchRequest: { engaged: true, reason: 'incident 2291: a bad pack version blocks every post' },
  OverrideRequest: { request_id: REQUEST_ID, actor: 'maria.lopez', reason: 'Reviewed by trust & safety: the word is quoted from a news article.' },
  Health: { status: 'ok' },
  StreamedDecision: STREAMED,
};

/** GET /v1/events as its schema describes it: the sequence of its events. */
export const SSE_EVENTS = [{ event: 'enforcement', id: REQUEST_ID, data: STREAMED }];

/** The same on the wire: one frame and a heartbeat. */
export const SSE_EXAMPLE = `event: enforcement\nid: ${REQUEST_ID}\ndata: ${JSON.stringify(STREAMED)}\n\n: heartbeat ${AT}\n\n`;
