/**
 * GET /v1/events (admin): every answered decision as a Server-Sent Event
 * (`event: enforcement`), for the dashboard and for anyone who would rather
 * watch than poll. Auth is the usual `Authorization` header: the dashboard
 * reads the stream with fetch(), because EventSource cannot send headers and
 * an API key must never travel in a URL.
 */
import { Router, type Response } from 'express';
import { callerOf, requireRole } from '../auth/auth-middleware.js';
import { overloaded } from '../http/connections.js';
import type { DecisionListener } from '../evaluations/decided.js';
import { sseFrame, toStreamedDecision } from './streamed-decision.js';

export const HEARTBEAT_MS = 15_000;
/** A client that has not read this much is too slow to follow: it is cut off and reconnects. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const RETRY_MS = 3_000;

export interface EventStreams {
  router: Router;
  /** Open streams right now. */
  count(): number;
  /** Ends every open stream, so that server.close() is not held open by them. */
  closeAll(): void;
  /** The onDecision listener: one frame per answered decision, written to every open stream. */
  publish: DecisionListener;
}

export interface EventStreamLimits {
  /** Streams open at once in all; more are refused 503 OVERLOADED with Retry-After. */
  maxStreams: number;
  /** Streams open at once per API key. */
  maxStreamsPerKey: number;
}

export function createEventStreams(deps: { heartbeatMs?: number; limits?: EventStreamLimits } = {}): EventStreams {
  const heartbeatMs = deps.heartbeatMs ?? HEARTBEAT_MS;
  const limits = deps.limits ?? { maxStreams: Number.POSITIVE_INFINITY, maxStreamsPerKey: Number.POSITIVE_INFINITY };
  const open = new Set<Response>();
  const perKey = new Map<string, number>();
  const router = Router();

  router.get('/v1/events', requireRole('admin'), (req, res) => {
    // Each stream holds a socket and is written on every decision: 5,000 of them took
    // evaluate's median from 9 ms to 406 ms (issue 13).
    const key = callerOf(res).id;
    const mine = perKey.get(key) ?? 0;
    if (open.size >= limits.maxStreams) throw overloaded('event streams', { limit: limits.maxStreams });
    if (mine >= limits.maxStreamsPerKey) throw overloaded('event streams for this API key', { limit_per_key: limits.maxStreamsPerKey });
    perKey.set(key, mine + 1);
    startStream(res);
    open.add(res);
    // Comment lines keep proxies and load balancers from closing an idle stream.
    const heartbeat = setInterval(() => send(res, `: heartbeat ${new Date().toISOString()}\n\n`), heartbeatMs);
    heartbeat.unref();

    let counted = true;
    const cleanup = () => {
      clearInterval(heartbeat);
      open.delete(res);
      if (!counted) return;
      counted = false;
      const left = (perKey.get(key) ?? 1) - 1;
      if (left > 0) perKey.set(key, left);
      else perKey.delete(key);
    };
    req.on('close', cleanup);
    res.on('close', cleanup);
  });

  return {
    router,
    count: () => open.size,
    closeAll() {
      for (const res of open) res.end();
    },
    publish({ decision, meta }) {
      if (open.size === 0) return;
      const frame = sseFrame(toStreamedDecision(decision, meta));
      for (const res of open) send(res, frame);
    },
  };
}

function startStream(res: Response): void {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  // nginx buffers responses by default; a buffered event stream is no stream at all.
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  res.write(`retry: ${RETRY_MS}\n: connected\n\n`);
}

function send(res: Response, frame: string): void {
  if (res.writableEnded || res.destroyed) return;
  if (res.writableLength > MAX_BUFFERED_BYTES) {
    res.end();
    return;
  }
  res.write(frame);
}
