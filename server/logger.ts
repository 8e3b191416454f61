/**
 * The pino logger. Secrets and content never reach a log line: the HTTP
 * serializers keep only method, url and status, and redaction removes the
 * usual suspects wherever they appear.
 */
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

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'gatehouse' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}
