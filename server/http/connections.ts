/**
 * The HTTP server around the Express app, with the limits a public API needs
 * (issue 13 item 8): slow-header and slow-body connections are cut, idle
 * keep-alive connections closed, the number of open connections capped, and
 * what Node would answer with a bare 400/431 (or silence) answered in the one
 * error shape instead.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { HttpConfig } from '../config.js';
import { AppError } from '../errors.js';
import { httpStatusOf, type ErrorCode } from '../../contract/error-codes.js';
import { bornWithExpressPrototypes } from './express-born.js';

/** Seconds a client over a cap is asked to wait. */
export const OVERLOAD_RETRY_AFTER_S = 1;

/** A full HTTP/1.1 response in the error shape, for sockets the HTTP layer has given up on. */
export function rawErrorResponse(error: AppError, extraHeaders: Record<string, string> = {}): string {
  const status = httpStatusOf(error.code);
  const body = JSON.stringify(error.toJSON());
  const headers = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
    ...extraHeaders,
  };
  return `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`;
}

export function overloaded(what: string, details: Record<string, unknown>): AppError {
  return new AppError('OVERLOADED', `The server holds too many ${what}; retry in ${OVERLOAD_RETRY_AFTER_S} s.`, {
    details: { ...details, retry_after_seconds: OVERLOAD_RETRY_AFTER_S },
  });
}

/** What Node's HTTP parser refused, as the client's error (see clientError below). */
function parseFailure(error: NodeJS.ErrnoException): { code: ErrorCode; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'HEADERS_TOO_LARGE', message: 'The request line and headers are larger than the server accepts.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'HPE_HEADERS_TIMEOUT':
      return { code: 'REQUEST_TIMEOUT', message: 'The request was not received in time.' };
    default:
      return { code: 'INVALID_REQUEST', message: 'The request is not valid HTTP/1.1.' };
  }
}

const RECEIVED_AT = Symbol('gatehouse.receivedAt');

/**
 * performance.now() when the request's body had been received (stamped by createHttpServer's
 * servers; undefined elsewhere, e.g. under supertest): the evaluation budget counts from it, so
 * that parsing and validating a large body is inside the budget, and a slow upload is not.
 */
function markReceived(this: http.IncomingMessage): void {
  (this as { [RECEIVED_AT]?: number })[RECEIVED_AT] = performance.now();
}

export function receivedAt(req: http.IncomingMessage): number | undefined {
  return (req as { [RECEIVED_AT]?: number })[RECEIVED_AT];
}

export function createHttpServer(app: Express, config: HttpConfig, logger: Logger): http.Server {
  const server = http.createServer(
    {
      // Node refuses a headers timeout longer than the request timeout (which includes it).
      headersTimeout: Math.min(config.headersTimeoutMs, config.requestTimeoutMs),
      requestTimeout: config.requestTimeoutMs,
      keepAliveTimeout: config.keepAliveTimeoutMs,
      maxHeaderSize: config.maxHeaderBytes,
      // How often Node looks for connections past headersTimeout/requestTimeout (30 s by default,
      // which let slow-header connections live for up to 40 s).
      connectionsCheckingInterval: Math.min(1_000, config.headersTimeoutMs),
      // One hidden class for every request and response (express-born.ts).
      ...bornWithExpressPrototypes(app),
    },
    app,
  );

  let open = 0;
  const refused = new WeakSet<Socket>();
  // Before the HTTP layer's own listener: a connection over the cap is answered and closed
  // without being parsed. (server.maxConnections would drop it without a word.)
  server.prependListener('connection', (socket: Socket) => {
    if (open >= config.maxConnections) {
      refused.add(socket);
      socket.on('error', () => undefined);
      socket.end(rawErrorResponse(overloaded('connections', { limit: config.maxConnections }), { 'Retry-After': String(OVERLOAD_RETRY_AFTER_S) }));
      socket.destroySoon();
      return;
    }
    open++;
    socket.once('close', () => open--);
  });

  server.prependListener('request', (req: http.IncomingMessage) => {
    // An 'end' listener does not start the stream flowing: the body parser still reads it. One
    // function for every request (no closure, no once-wrapper each): 'end' comes once anyway.
    req.on('end', markReceived);
  });

  // Bad HTTP, an oversized head, a timeout: Node would write a bare status line or nothing.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (refused.has(socket) || !socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const { code, message } = parseFailure(error);
    socket.end(rawErrorResponse(new AppError(code, message, { details: { reason: error.code ?? 'parse error' } })));
    socket.destroySoon();
    logger.debug({ reason: error.code }, 'client error answered');
  });
  return server;
}
