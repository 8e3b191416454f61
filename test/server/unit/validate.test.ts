import { describe, expect, it } from 'vitest';
import { AppError } from '../../../server/errors.js';
import { AuditQuery } from '../../../contract/schemas/audit.js';
import { EvaluateRequest } from '../../../contract/schemas/evaluations.js';
import { PinRequest } from '../../../contract/schemas/stages.js';
import { validateBody, validateText } from '../../../server/http/validate.js';

function issues(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('INVALID_REQUEST');
    return (e as AppError).details as { path: string; message: string }[];
  }
  throw new Error('expected INVALID_REQUEST');
}

describe('request validation', () => {
  it('accepts a valid evaluate request', () => {
    expect(validateBody(EvaluateRequest, { content: ['a', 'b'], stage: 'prod', metadata: { k: 1 } })).toBeTruthy();
  });

  it('names each bad field with a JSON pointer and a message', () => {
    const details = issues(() => validateBody(EvaluateRequest, { content: 5, stage: 'Prod!', extra: true }));
    expect(details).toEqual(
      expect.arrayContaining([
        { path: '/extra', message: 'is not allowed' },
        expect.objectContaining({ path: '/stage', message: expect.stringMatching(/pattern/) }),
        expect.objectContaining({ path: '/content' }),
      ]),
    );
  });

  it('reports missing fields by name', () => {
    expect(issues(() => validateBody(EvaluateRequest, {}))).toEqual(
      expect.arrayContaining([
        { path: '/content', message: "must have required property 'content'" },
        { path: '/stage', message: "must have required property 'stage'" },
      ]),
    );
    expect(issues(() => validateBody(EvaluateRequest, undefined))).toEqual([{ path: '', message: 'must be object' }]);
  });

  it('lists the allowed modes', () => {
    expect(issues(() => validateBody(PinRequest, { pack: 'qa', version: '1.0.0', mode: 'strict' }))).toEqual([
      { path: '/mode', message: 'must be one of "off", "advisory", "enforced"' },
    ]);
  });

  it('refuses prototype-pollution keys as unknown fields', () => {
    const body = JSON.parse('{"content":"x","stage":"dev","__proto__":{"admin":true}}');
    expect(issues(() => validateBody(EvaluateRequest, body))).toEqual([{ path: '/__proto__', message: 'is not allowed' }]);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('coerces query strings and applies defaults without touching the input', () => {
    const input = { limit: '20', decision: 'FAIL' };
    expect(validateText(AuditQuery, input, 'query')).toEqual({ limit: 20, decision: 'FAIL' });
    expect(validateText(AuditQuery, {}, 'query')).toEqual({ limit: 50 });
    expect(input.limit).toBe('20');
    expect(issues(() => validateText(AuditQuery, { limit: '501' }, 'query'))).toEqual([{ path: '/limit', message: 'must be <= 500' }]);
    expect(issues(() => validateText(AuditQuery, { from: 'yesterday' }, 'query'))[0]!.path).toBe('/from');
  });
});
