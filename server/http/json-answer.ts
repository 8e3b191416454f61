/**
 * A JSON answer written with its two headers set directly, for the evaluate path (issue 14).
 * Express's res.json looks up three app settings, runs the type through mime-types, parses and
 * re-formats it to add the charset (res.send), and copies the text into a Buffer before writing:
 * the same header value every time, worked out per request. The bytes on the wire are the same as
 * res.json's under this app's settings (no `json replacer`, `json spaces` or `json escape`; ETags
 * off): test/server/http/json-answer.test.ts holds the two side by side.
 */
import type { Response } from 'express';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Answers `value` as JSON with the response's status (200 unless set), as res.json would. */
export function sendJson(res: Response, value: unknown): void {
  const body = JSON.stringify(value);
  res.setHeader('Content-Type', JSON_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(body, 'utf8'));
  res.end(body, 'utf8');
}
