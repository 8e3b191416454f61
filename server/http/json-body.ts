/**
 * The JSON body parser of the API, with a short path for the plain request that every API
 * client sends (issue 14: body-parser cost ~130 µs per evaluation under load: type-is,
 * content-type and charset parsing, raw-body's stream plumbing, iconv-lite's decoder):
 *
 *   Content-Type `application/json` (optionally `; charset=utf-8`), no Content-Encoding (or
 *   identity), a Content-Length within the limit.
 *
 * Such a body is read here, checked for depth on its bytes (json-depth.ts), decoded as UTF-8
 * (a leading BOM dropped, as iconv-lite does) and parsed as express.json({ strict: true })
 * would: an empty body is `{}`, anything but an object or array at the top is malformed. Its
 * failures are the same errors body-parser raises (same `type` and status), so the error
 * handler answers them alike. Every other request (chunked, compressed, another type or
 * charset, no length) goes to express.json itself, unchanged.
 */
import type { IncomingMessage } from 'node:http';
import express, { type RequestHandler } from 'express';
import { rejectDeepJson } from './json-depth.js';

const PLAIN_TYPES = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8']);
// body-parser's strict check: the first character after JSON whitespace.
const FIRST_CHAR = /^[\x20\x09\x0a\x0d]*([^\x20\x09\x0a\x0d])/;

export interface JsonBodyOptions {
  /** Bytes; a larger body is PAYLOAD_TOO_LARGE. */
  limit: number;
}

export function jsonBody(options: JsonBodyOptions): RequestHandler {
  const verify = rejectDeepJson();
  const general = express.json({ limit: options.limit, strict: true, verify });
  return (req, res, next) => {
    const length = plainLength(req, options.limit);
    if (length === undefined) {
      general(req, res, next);
      return;
    }
    if (!('body' in req)) (req as { body?: unknown }).body = undefined;
    readExactly(req, length, (error, bytes) => {
      if (error) {
        next(error);
        return;
      }
      try {
        verify(req, res, bytes!);
      } catch (refused) {
        next(refused);
        return;
      }
      let text = bytes!.toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      try {
        req.body = parseStrict(text);
      } catch (malformed) {
        next(clientError((malformed as Error).message, { type: 'entity.parse.failed', body: text }));
        return;
      }
      next();
    });
  };
}

/** The Content-Length of a request the short path takes, else undefined. */
function plainLength(req: IncomingMessage, limit: number): number | undefined {
  const headers = req.headers;
  if (req.readableEnded || headers['transfer-encoding'] !== undefined) return undefined;
  const type = headers['content-type'];
  if (type === undefined || !PLAIN_TYPES.has(type.toLowerCase())) return undefined;
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return undefined;
  const declared = headers['content-length'];
  if (declared === undefined || !/^\d{1,15}$/.test(declared)) return undefined;
  const length = Number(declared);
  return length <= limit ? length : undefined;
}

/** The body, which must be exactly `length` bytes (raw-body's errors otherwise). */
function readExactly(req: IncomingMessage, length: number, done: (error: Error | undefined, body?: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let received = 0;
  let settled = false;
  const finish = (error: Error | undefined, body?: Buffer) => {
    if (settled) return;
    settled = true;
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('aborted', onAborted);
    req.off('error', onError);
    if (error) req.resume(); // drain what is left, as body-parser does before answering
    done(error, body);
  };
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > length) finish(sizeMismatch(length, received));
    else chunks.push(chunk);
  };
  const onEnd = () => {
    if (received !== length) finish(sizeMismatch(length, received));
    else finish(undefined, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
  };
  const onAborted = () => finish(clientError('request aborted', { code: 'ECONNABORTED', expected: length, length, received, type: 'request.aborted' }));
  const onError = (error: Error) => finish(clientError(error.message, { type: 'stream.error' }));
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('aborted', onAborted);
  req.on('error', onError);
}

function sizeMismatch(expected: number, received: number): Error {
  return clientError('request size did not match content length', { expected, length: expected, received, type: 'request.size.invalid' });
}

/** A 400 shaped as http-errors makes it for body-parser (status, expose, type): errors.ts maps it to INVALID_REQUEST. */
function clientError(message: string, props: Record<string, unknown>): Error {
  return Object.assign(new Error(message), { status: 400, statusCode: 400, expose: true }, props);
}

/** express.json({ strict: true })'s parse: {} for an empty body; only an object or an array at the top. */
function parseStrict(text: string): unknown {
  if (text.length === 0) return {};
  const first = FIRST_CHAR.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw new SyntaxError(`Unexpected token ${first ?? 'end of input'} in JSON at position 0 (strict mode)`);
  return JSON.parse(text);
}
