/**
 * Express glue for API keys: `Authorization: Bearer KEY` → the caller,
 * role checks, and the per-key rate limit.
 */
import type { RequestHandler, Response } from 'express';
import { AppError } from '../errors.js';
import type { Authenticator, Caller } from './api-keys.js';
import type { Role } from './key-store.js';
import { fixedWindowLimit } from './rate-limit.js';

const BEARER = /^Bearer\s+(\S{1,512})\s*$/i;

/** The authenticated caller of a request (set by `authenticate`). */
export function callerOf(res: Response): Caller {
  const caller = res.locals.caller as Caller | undefined;
  if (!caller) throw new AppError('UNAUTHORIZED');
  return caller;
}

export function authenticate(authenticator: Authenticator): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization');
    const match = header ? BEARER.exec(header) : null;
    if (!match) {
      next(new AppError('UNAUTHORIZED', 'Missing API key: send `Authorization: Bearer <key>`.'));
      return;
    }
    const caller = authenticator.authenticate(match[1]!);
    if (!caller) {
      next(new AppError('UNAUTHORIZED', 'The API key is not valid.'));
      return;
    }
    res.locals.caller = caller;
    next();
  };
}

/** `evaluator` routes admit admins too; `admin` routes admit admins only. */
export function requireRole(role: Role): RequestHandler {
  return (_req, res, next) => {
    const caller = callerOf(res);
    if (role === 'admin' && caller.role !== 'admin') {
      next(new AppError('FORBIDDEN', 'This operation needs an admin key.', { details: { required_role: 'admin', role: caller.role } }));
      return;
    }
    next();
  };
}

/** Requests per minute per API key (in this process); 0 turns the limit off. */
export function rateLimitPerKey(perMinute: number): RequestHandler {
  if (perMinute <= 0) return (_req, _res, next) => next();
  return fixedWindowLimit({
    windowMs: 60_000,
    limit: perMinute,
    keyOf: (res) => callerOf(res).id,
    refused: ({ retryAfterSeconds }) =>
      new AppError('RATE_LIMITED', `More than ${perMinute} requests per minute for this API key.`, {
        details: { limit_per_minute: perMinute, retry_after_seconds: retryAfterSeconds },
      }),
  });
}
