/**
 * The one error type of the service, and the one Express handler that turns
 * anything thrown into the error shape with the status that
 * contract/error-codes.ts gives its code. Domain code throws
 * `AppError(code, …)` and never picks a status.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { DEFAULT_MESSAGES, ERROR_CODES, httpStatusOf, type ErrorBody, type ErrorCode } from '../contract/error-codes.js';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly suggestedFix: string;
  readonly details: unknown;

  constructor(code: ErrorCode, message?: string, options: { details?: unknown; suggestedFix?: string; cause?: unknown } = {}) {
    super(message ?? DEFAULT_MESSAGES[code] ?? code, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.suggestedFix = options.suggestedFix ?? ERROR_CODES[code];
    this.details = options.details ?? {};
  }

  toJSON(): ErrorBody {
    return { error: { code: this.code, message: this.message, suggestedFix: this.suggestedFix, details: this.details } };
  }
}

// ---- Express: the one error handler -------------------------------------------------------------

/** Unknown routes (any method) → NOT_FOUND. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}.`));
};

/** Turns anything thrown into the error shape; only 5xx are logged at error level, never with request bodies. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const appError = toAppError(err);
    const status = httpStatusOf(appError.code);
    const log = (req as { log?: Logger }).log ?? logger;
    res.locals.errorCode = appError.code;
    if (status >= 500 && appError.code !== 'OVERLOADED') log.error({ err: appError.code === 'INTERNAL' ? err : appError, code: appError.code }, 'request failed');
    const retryAfter = (appError.details as { retry_after_seconds?: unknown } | null)?.retry_after_seconds;
    if (appError.code === 'OVERLOADED' && typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    res.status(status).json(appError.toJSON());
  };
}

/** Body-parser and http-errors failures are the client's fault: never a 500 for bad input. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { type?: string; status?: number; statusCode?: number; expose?: boolean; limit?: number; length?: number };
  const status = e?.status ?? e?.statusCode;
  if (e?.type === 'entity.too.large' || status === 413) {
    return new AppError('PAYLOAD_TOO_LARGE', 'The request body is larger than the configured limit.', {
      details: { limit_bytes: e.limit, length_bytes: e.length },
    });
  }
  if (e?.type === 'entity.parse.failed') {
    return new AppError('INVALID_REQUEST', 'The request body is not valid JSON.', { details: [{ path: '', message: 'malformed JSON' }] });
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = e.expose && err instanceof Error ? err.message : 'The request could not be read.';
    return new AppError('INVALID_REQUEST', message, { details: [{ path: '', message: e.type ?? message }] });
  }
  return new AppError('INTERNAL', undefined, { cause: err });
}
