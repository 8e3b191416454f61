/**
 * Requests per minute per API key, in this process: a fixed window per key, as
 * express-rate-limit's memory store counts (the window starts at a key's first request and
 * lasts `windowMs`; past `limit` in it, 429), with the same draft-7 headers (`RateLimit-Policy`,
 * `RateLimit`, and `Retry-After` on a refusal). Written here because express-rate-limit awaited
 * its store and validated its options on every request, on the evaluate path (issue 14); the
 * keys are the API keys' ids, so the table is as small as the key store.
 */
import type { RequestHandler, Response } from 'express';

export interface Refusal {
  limit: number;
  /** Seconds until the key's window ends (Retry-After). */
  retryAfterSeconds: number;
}

interface Window {
  hits: number;
  resetAt: number;
}

export interface FixedWindowOptions {
  windowMs: number;
  limit: number;
  /** The key a request counts against (the caller's key id). */
  keyOf(res: Response): string;
  /** Turns a refusal into the error handed to next(). */
  refused(refusal: Refusal): unknown;
  now?: () => number;
}

export function fixedWindowLimit(options: FixedWindowOptions): RequestHandler {
  const { windowMs, limit, keyOf, refused } = options;
  const now = options.now ?? Date.now;
  const policy = `${limit};w=${Math.ceil(windowMs / 1000)}`;
  const windows = new Map<string, Window>();
  // Forget windows that have ended (a revoked key's), so the table never outgrows the live keys.
  const sweep = setInterval(() => {
    const t = now();
    for (const [key, w] of windows) if (w.resetAt <= t) windows.delete(key);
  }, windowMs);
  sweep.unref();

  return (_req, res, next) => {
    const t = now();
    const key = keyOf(res);
    let w = windows.get(key);
    if (!w) windows.set(key, (w = { hits: 0, resetAt: t + windowMs }));
    else if (w.resetAt <= t) {
      w.hits = 0;
      w.resetAt = t + windowMs;
    }
    w.hits++;
    const reset = Math.max(0, Math.ceil((w.resetAt - t) / 1000));
    res.setHeader('RateLimit-Policy', policy);
    res.setHeader('RateLimit', `limit=${limit}, remaining=${Math.max(limit - w.hits, 0)}, reset=${reset}`);
    if (w.hits > limit) {
      res.setHeader('Retry-After', String(reset));
      next(refused({ limit, retryAfterSeconds: reset }));
      return;
    }
    next();
  };
}
