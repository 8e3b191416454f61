/**
 * GET /v1/events (admin): every answered decision as a Server-Sent Event
 * (`event: enforcement`), for the dashboard and for anyone who would rather
 * watch than poll. Auth is the usual `Authorization` header: the dashboard
 * reads the stream with fetch(), because EventSource cannot send headers and
 * an API key must never travel in a URL.
 */
import { Router, type Response } from 'express';
import { requireRole } from '../auth/auth-middleware.js';
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

export function createEventStreams(deps: { heartbeatMs?: number } = {}): EventStreams {
  const heartbeatMs = deps.heartbeatMs ?? HEARTBEAT_MS;
  const open = new Set<Response>();
  const router = Router();

  router.get('/v1/events', requireRole('admin'), (req, res) => {
    startStream(res);
    open.add(res);
    // Comment lines keep proxies and load balancers from closing an idle stream.
    const heartbeat = setInterval(() => send(res, `: heartbeat ${new Date().toISOString()}\n\n`), heartbeatMs);
    heartbeat.unref();

    const cleanup = () => {
      clearInterval(heartbeat);
      open.delete(res);
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
