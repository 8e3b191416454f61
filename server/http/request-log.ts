/**
 * Request ids and request logging, lean (issue 14): pino-http built a child logger and
 * serialised its bindings for every request, then wrote a completion line even for an
 * evaluation that already logs its own `decision` line. Here:
 *
 * - every request gets an id (a safe incoming X-Request-Id, else a UUID), echoed in X-Request-Id;
 * - `req.log` is a child logger bound to `{ req: { id } }`, created only when something logs;
 * - one `request completed` line per answer (method, url, status, time, error code), at
 *   warn for 4xx and error for 5xx; none for the quiet probes, and none for a successful
 *   evaluation, whose `decision` line is its one line.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { REDACTED_PATHS } from '../logger.js';

declare module 'http' {
  interface IncomingMessage {
    /** The request id (also in X-Request-Id and every log line of the request). */
    id: string;
    /** A logger bound to this request's id. */
    log: Logger;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

export interface RequestLogOptions {
  /** Paths answered without a completion line (health probes, metrics scrapes). */
  quiet: ReadonlySet<string>;
  /** Requests whose successful answer logs its own line (POST /v1/evaluate). */
  ownLine?: (req: IncomingMessage) => boolean;
}

const BASE = Symbol('gatehouse.requestLogger');
const CHILD = Symbol('gatehouse.requestChild');
type Logged = IncomingMessage & { [BASE]?: Logger; [CHILD]?: Logger };

/**
 * `req.log` as one getter on the requests' prototype (Express's per-app `request`), reading the
 * logger and id the middleware set on the request as plain fields. A getter defined on each
 * request allocated a function, its context and an accessor pair per request, and a new hidden
 * class with its descriptors (issue 14: ~0.9 kB less per request that survives a scavenge).
 */
function defineLogOn(proto: object): void {
  if (Object.prototype.hasOwnProperty.call(proto, 'log')) return;
  Object.defineProperty(proto, 'log', {
    configurable: true,
    enumerable: false,
    get(this: Logged): Logger | undefined {
      const base = this[BASE];
      return base && (this[CHILD] ??= base.child({ req: { id: this.id } }));
    },
  });
}

export function requestLog(logger: Logger, options: RequestLogOptions): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    req.id = id;
    (req as Logged)[BASE] = logger;
    defineLogOn(Object.getPrototypeOf(req) as object);
    const url = req.originalUrl;
    if (options.quiet.has(url)) {
      next();
      return;
    }
    const started = process.hrtime.bigint();
    const ownLine = options.ownLine?.(req) ?? false;
    res.once('finish', () => completed(logger, req, res, id, url, started, ownLine));
    next();
  };
}

function completed(logger: Logger, req: IncomingMessage, res: ServerResponse, id: string, url: string, started: bigint, ownLine: boolean): void {
  const status = res.statusCode;
  if (ownLine && status < 400) return;
  const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const code = (res as { locals?: { errorCode?: string } }).locals?.errorCode;
  logger[level](
    {
      req: { id, method: req.method, url },
      res: { statusCode: status },
      responseTime: Number(process.hrtime.bigint() - started) / 1e6,
      ...(code ? { error_code: code } : {}),
    },
    'request completed',
  );
}

/** An info line of a request, written with the request's id as `req.log` would write it. */
export type RequestLine = (req: IncomingMessage, fields: Record<string, string | number | boolean | null>, msg: string) => void;

/**
 * For a line logged on every request whose fields are all scalars (the evaluation's `decision`
 * line): the same text as `req.log.info(fields, msg)`, without what that costs per request
 * (issue 14, ~27 kB allocated and a child logger per evaluation). `req.log` is a child logger
 * built for the request, serialising its bindings `{ req: { id } }` through the redaction; and
 * because some redaction paths start with a wildcard (`*.content`), pino runs every field of every
 * line, scalars included, through a redactor that clones and stringifies it. Here one child is
 * built once, with only the top-level redaction paths (a scalar field has nothing under it for a
 * wildcard to match), and `req: { id }` is the line's first field: pino writes a child's bindings
 * right before the line's fields, so the text is the same.
 */
export function requestLine(logger: Logger): RequestLine {
  const topLevel = REDACTED_PATHS.filter((p) => !/[.[\]]/.test(p));
  const lean = logger.child({}, { redact: { paths: topLevel, censor: '[redacted]' } });
  return (req, fields, msg) => {
    if (lean.isLevelEnabled('info')) lean.info({ req: { id: req.id }, ...fields }, msg);
  };
}
