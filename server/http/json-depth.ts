/**
 * A nesting limit for JSON bodies. V8's JSON.parse is iterative and accepts any depth, but
 * everything after it recurses: JSON.stringify (audit rows, logs), validators, the rules
 * engine's facts. A 10,000-level body inside the size limit would overflow the stack there
 * and answer a 500; refused here, before parsing, it is the client's INVALID_REQUEST.
 */
import type { IncomingMessage } from 'node:http';
import { AppError } from '../errors.js';

/** Deepest nesting of objects and arrays accepted in a request body. Real bodies use < 10. */
export const MAX_JSON_DEPTH = 64;

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/** Deepest nesting of `json` (raw bytes), ignoring brackets inside strings; stops counting past `limit`. */
export function jsonDepth(json: Uint8Array, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const byte = json[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth--;
    }
  }
  return deepest;
}

/**
 * `verify` hook for express.json: runs on the decoded body bytes before JSON.parse. The
 * AppError passes through body-parser (which only adds status fields) to the error handler.
 */
export function rejectDeepJson(limit = MAX_JSON_DEPTH): (req: IncomingMessage, res: unknown, body: Buffer) => void {
  return (_req, _res, body) => {
    if (jsonDepth(body, limit) > limit) {
      throw new AppError('INVALID_REQUEST', `The request body is nested more than ${limit} levels deep.`, {
        details: [{ path: '', message: `nesting deeper than ${limit} levels` }],
        suggestedFix: `Flatten the body: objects and arrays may nest at most ${limit} levels.`,
      });
    }
  };
}
