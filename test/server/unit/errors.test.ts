import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AppError, errorHandler, notFoundHandler, toAppError } from '../../../server/errors.js';
import { ERROR_CODES, HTTP_STATUS } from '../../../contract/error-codes.js';

describe('errors', () => {
  it('gives every code a status and a suggested fix', () => {
    for (const code of Object.keys(ERROR_CODES) as (keyof typeof ERROR_CODES)[]) {
      expect(HTTP_STATUS[code]).toBeGreaterThanOrEqual(200);
      expect(ERROR_CODES[code].length).toBeGreaterThan(10);
    }
    for (const code of ['QA_REJECTED', 'HARMFUL_CONTENT', 'CIRCUIT_BREAKER_TRIPPED', 'ENFORCEMENT_RECEIPT_REQUIRED', 'RECEIPT_INVALID',
      'RECEIPT_CONTENT_MISMATCH', 'POLICY_VERSION_NOT_FOUND', 'STAGE_NOT_FOUND', 'INVALID_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN',
      'PAYLOAD_TOO_LARGE', 'RATE_LIMITED', 'AUDIT_UNAVAILABLE']) {
      expect(ERROR_CODES).toHaveProperty(code);
    }
  });

  it('serialises to the one error shape', () => {
    expect(new AppError('STAGE_NOT_FOUND', 'no stage', { details: { stage: 'x' } }).toJSON()).toEqual({
      error: { code: 'STAGE_NOT_FOUND', message: 'no stage', suggestedFix: ERROR_CODES.STAGE_NOT_FOUND, details: { stage: 'x' } },
    });
  });

  it('maps body-parser errors to client errors', () => {
    expect(toAppError(Object.assign(new Error('x'), { type: 'entity.too.large', status: 413 })).code).toBe('PAYLOAD_TOO_LARGE');
    expect(toAppError(Object.assign(new Error('x'), { type: 'entity.parse.failed', status: 400 })).code).toBe('INVALID_REQUEST');
    expect(toAppError(Object.assign(new Error('x'), { type: 'charset.unsupported', status: 415 })).code).toBe('INVALID_REQUEST');
    expect(toAppError(new TypeError('boom')).code).toBe('INTERNAL');
  });

  it('answers 500 without a stack trace and logs it', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    const app = express();
    app.get('/boom', () => {
      throw new Error('secret internals at /srv/app.js:12');
    });
    app.use(notFoundHandler);
    app.use(errorHandler(logger));
    const res = await request(app).get('/boom');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL', message: 'Internal error.', suggestedFix: ERROR_CODES.INTERNAL, details: {} } });
    expect(res.text).not.toContain('secret internals');
    expect(lines.join('')).toContain('secret internals');
    const missing = await request(app).post('/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
  });
});
