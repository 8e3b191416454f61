/**
 * Security headers, computed once (issue 14). helmet ran eleven small middlewares per request,
 * each formatting its header again, and sent a Content-Security-Policy on every JSON answer.
 * A CSP only governs what a *document* may load and run: a JSON answer is never rendered, and
 * `X-Content-Type-Options: nosniff` (sent on every answer) is what stops a browser from sniffing
 * one into HTML. So CSP goes only on the HTML pages (/docs here, the dashboard its own stricter
 * one), and every answer gets the rest of helmet 8's defaults, the same values as before.
 */
import type { RequestHandler, Response } from 'express';

/** helmet 8's default policy without upgrade-insecure-requests (plain HTTP is common inside a cluster). */
export const HTML_CSP =
  "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';" +
  "img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline'";

/** helmet 8's defaults other than CSP, in its order. */
const EVERY_ANSWER: readonly (readonly [string, string])[] = [
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
];

/** First in the chain, so 401s, 404s and the error handler's answers carry them too. */
export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    for (const [name, value] of EVERY_ANSWER) res.setHeader(name, value);
    next();
  };
}

/** For a route that answers an HTML document. */
export function setHtmlCsp(res: Response, policy: string = HTML_CSP): void {
  res.setHeader('Content-Security-Policy', policy);
}
