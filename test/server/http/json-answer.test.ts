import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { sendJson } from '../../../server/http/json-answer.js';

/** Two routes answering the same value, one through res.json and one through sendJson, with gatehouse's app settings. */
function app(value: unknown, status = 200) {
  const server = express();
  server.set('etag', false);
  server.get('/express', (_req, res) => void res.status(status).json(value));
  server.get('/direct', (_req, res) => sendJson(res.status(status), value));
  return server;
}

const VALUES: [string, unknown][] = [
  ['a small object (res.send measures it as a string)', { ok: true, n: 1.5, list: [1, 'two', null] }],
  ['an answer over 1,000 bytes (res.send copies it into a Buffer)', { checks: Array.from({ length: 60 }, (_, i) => `check-${i}`), text: 'x'.repeat(2_000) }],
  ['non-ASCII text, an emoji and a lone surrogate', { evidence: 'f*****g é ü 🙂', odd: '\ud800', quote: '"<a href=x>&"' }],
  ['an array at the top', [{ a: 1 }, { b: [2, 3] }]],
  ['a string at the top', 'plain'],
];

describe('sendJson', () => {
  it.each(VALUES)('%s: the same status, Content-Type, Content-Length and bytes as res.json', async (_name, value) => {
    const server = app(value);
    const [viaExpress, direct] = await Promise.all([request(server).get('/express').buffer(true), request(server).get('/direct').buffer(true)]);
    expect(direct.status).toBe(viaExpress.status);
    expect(direct.headers['content-type']).toBe(viaExpress.headers['content-type']);
    expect(direct.headers['content-length']).toBe(viaExpress.headers['content-length']);
    expect(Buffer.from(direct.text, 'utf8').equals(Buffer.from(viaExpress.text, 'utf8'))).toBe(true);
    expect(direct.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('keeps a status set before it (an error answer)', async () => {
    const res = await request(app({ error: { code: 'EVALUATION_TIMEOUT' } }, 503)).get('/direct');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: { code: 'EVALUATION_TIMEOUT' } });
  });
});
