/**
 * The pino logger. Secrets and content never reach a log line: the HTTP
 * serializers keep only method, url and status, and redaction removes the
 * usual suspects wherever they appear.
 */
import { createHash } from 'node:crypto';
import { pino, type DestinationStream, type Logger } from 'pino';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'authorization',
  'content',
  'receipt',
  'key',
  'apiKey',
  '*.authorization',
  '*.content',
  '*.receipt',
  '*.key',
  '*.apiKey',
  '*.private_jwk',
];

/** Longest a buffered line waits before it is written (logDestination). */
export const LOG_FLUSH_MS = 1_000;
/**
 * The most one write carries: whole lines, at most PIPE_BUF, the size Linux writes to a pipe in one
 * piece. Instances sharing one stdout (GATEHOUSE_WORKERS, a container's log pipe) then never mix
 * their lines, as with a write per line. `bufferBytes` must stay below it.
 */
export const LOG_MAX_WRITE = 4_096;

/**
 * Where the server's lines go: stdout, in writes of at least `bufferBytes` (or every LOG_FLUSH_MS),
 * off the event loop; 0 writes each line synchronously as it is logged (pino's default). A line a
 * request logs cost a write(2) on the event loop, ~4 % of the server's CPU under load, and a slow
 * log pipe stalled every request (issue 14). Buffered lines are written at exit (pino flushes its
 * asynchronous destinations then); a process killed with SIGKILL loses at most the last
 * `bufferBytes` or second of lines. The audit table, not the log, is the record of decisions.
 */
export function logDestination(bufferBytes: number, dest: number | string = 1): DestinationStream {
  if (bufferBytes === 0) return pino.destination({ dest, sync: true });
  return pino.destination({ dest, sync: false, minLength: bufferBytes, maxWrite: LOG_MAX_WRITE, periodicFlush: LOG_FLUSH_MS });
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'gatehouse' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: safeErrorSerializer },
    },
    destination,
  );
}

// ---- errors without request data ----------------------------------------------------------------

/** Messages of these errors are written by us or by the OS/driver about connectivity: no request data. */
const TRUSTED_NAMES = new Set(['AppError', 'ConfigError', 'KnexTimeoutError', 'AbortError', 'TimeoutError', 'PackError']);
/** Node system errors (ECONNREFUSED, ENOSPC, …) and PostgreSQL classes 08, 53, 57, 58 (connection, resources, operator, system). */
const TRUSTED_CODE = /^(E[A-Z0-9_]+|08...|53...|57...|58...)$/;
const TRUSTED_MESSAGE = /^(Connection terminated|Connection ended|connect E|timeout|Knex: Timeout|Client has encountered a connection error|terminating connection|the database system is|sorry, too many clients)/i;

export interface SafeError {
  type: string;
  code?: string;
  message: string;
  stack?: string;
  cause?: SafeError;
}

/**
 * The `err` serializer of every logger (the request loggers' children inherit it). A library may put the input it
 * failed on into its message (PostgreSQL does: `invalid input syntax …`, with the value in
 * `detail`; an engine error may quote the text), and content never reaches a log line. So
 * only type, code, stack frames and messages known to be free of request data are kept;
 * other messages are replaced by a fingerprint that still groups repeated failures.
 */
export function safeErrorSerializer(err: unknown, depth = 0): SafeError {
  if (typeof err !== 'object' || err === null) return { type: typeof err, message: '[redacted]' };
  // An Error, or a plain object already passed through a standard serializer.
  const e = err as { name?: unknown; type?: unknown; code?: unknown; message?: unknown; stack?: unknown; cause?: unknown };
  const type = typeof e.name === 'string' && e.name !== '' ? e.name : typeof e.type === 'string' ? e.type : 'Error';
  const code = typeof e.code === 'string' || typeof e.code === 'number' ? String(e.code) : undefined;
  const message = typeof e.message === 'string' ? e.message : '';
  const trusted = TRUSTED_NAMES.has(type) || (code !== undefined && TRUSTED_CODE.test(code)) || TRUSTED_MESSAGE.test(message);
  const frames = typeof e.stack === 'string' ? e.stack.split('\n').filter((line) => /^\s+at /.test(line)).join('\n') : undefined;
  return {
    type,
    ...(code !== undefined ? { code } : {}),
    message: trusted ? message : `[redacted: may hold request data; sha256 ${createHash('sha256').update(message).digest('hex').slice(0, 12)}]`,
    ...(frames ? { stack: frames } : {}),
    ...(e.cause !== undefined && depth < 3 ? { cause: safeErrorSerializer(e.cause, depth + 1) } : {}),
  };
}
