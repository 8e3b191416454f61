/**
 * http/json-body.ts answers every body exactly as express.json({ strict: true, verify: depth })
 * did: the short path (plain JSON with a length) and the requests it hands to express.json,
 * compared through the app's error handler on the same inputs.
 */
import express, { type RequestHandler } from 'express';
import pino from 'pino';
import request from 'supertest';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { errorHandler } from '../../../server/errors.js';
import { jsonBody } from '../../../server/http/json-body.js';
import { rejectDeepJson } from '../../../server/http/json-depth.js';

const LIMIT = 1_000;

function appWith(parser: RequestHandler) {
  const app = express();
  app.use(parser);
  app.post('/', (req, res) => {
    res.json({ body: req.body === undefined ? '<undefined>' : req.body });
  });
  app.use(errorHandler(pino({ level: 'silent' })));
  return app;
}

const lean = appWith(jsonBody({ limit: LIMIT }));
const reference = appWith(express.json({ limit: LIMIT, strict: true, verify: rejectDeepJson() }));

const deep = `${'['.repeat(70)}${']'.repeat(70)}`;
const cases: [string, string | Buffer, Record<string, string>][] = [
  ['an object', '{"stage":"s","content":"héllo \\u00e9 😀"}', {}],
  ['an array', '[1,2,3]', {}],
  ['an empty body', '', {}],
  ['whitespace only', '  \n', {}],
  ['a string at the top (strict)', '"text"', {}],
  ['a number at the top (strict)', ' 42', {}],
  ['malformed JSON', '{"a":', {}],
  ['a BOM before the object', '\ufeff{"a":1}', {}],
  ['nesting past the depth limit', deep, {}],
  ['a body over the limit', `{"a":"${'x'.repeat(LIMIT)}"}`, {}],
  ['charset utf-8 in capitals', '{"a":1}', { 'Content-Type': 'application/json; charset=UTF-8' }],
  ['another charset', '{"a":1}', { 'Content-Type': 'application/json; charset=latin1' }],
  ['a +json type', '{"a":1}', { 'Content-Type': 'application/merge-patch+json' }],
  ['text/plain', '{"a":1}', { 'Content-Type': 'text/plain' }],
  ['gzip', gzipSync('{"a":1}'), { 'Content-Encoding': 'gzip' }],
];

describe('json-body: the same answers as express.json', () => {
  it.each(cases)('%s', async (_name, body, headers) => {
    const send = (app: express.Express) => {
      let r = request(app).post('/').set('Content-Type', 'application/json');
      for (const [k, v] of Object.entries(headers)) r = r.set(k, v);
      return r.send(body);
    };
    const [a, b] = [await send(lean), await send(reference)];
    expect({ status: a.status, body: a.body }).toEqual({ status: b.status, body: b.body });
  });

  it('no body at all: body undefined, as express.json leaves it', async () => {
    const [a, b] = [await request(lean).post('/'), await request(reference).post('/')];
    expect({ status: a.status, body: a.body }).toEqual({ status: b.status, body: b.body });
  });
});
