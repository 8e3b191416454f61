/**
 * Request metrics by route: gatehouse_http_requests_total{route,method,status} and
 * gatehouse_http_request_duration_seconds{route,method}, so that 401, 429 and 5xx rates are
 * visible per route. `route` is the route's template as /openapi.json names it
 * (`/v1/stages/{stage}`), never the raw path: a path per stage or request id would grow the
 * series without bound. It is found from the route table (server/ops/openapi.ts, which a test
 * keeps equal to the routes served), not from Express's req.route, because a request refused by
 * the key check or the rate limit (401, 429) never reaches its route. Anything else is
 * `unmatched`.
 */
import type { RequestHandler } from 'express';
import { Counter, Histogram, type Registry } from 'prom-client';
import { ROUTES } from './openapi.js';

export const UNMATCHED = 'unmatched';

export interface HttpMetrics {
  requests: Counter<'route' | 'method' | 'status'>;
  duration: Histogram<'route' | 'method'>;
}

export function createHttpMetrics(registry: Registry): HttpMetrics {
  return {
    requests: new Counter({
      name: 'gatehouse_http_requests_total',
      help: 'HTTP requests answered, by route template, method and status code.',
      labelNames: ['route', 'method', 'status'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'gatehouse_http_request_duration_seconds',
      help: 'Time from the request to the end of the answer, by route template and method (an event stream counts its whole life).',
      labelNames: ['route', 'method'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

interface Template {
  method: string;
  route: string;
  pattern: RegExp;
}

const TEMPLATES: Template[] = ROUTES.map((r) => ({
  method: r.method.toUpperCase(),
  route: r.path,
  pattern: new RegExp(`^${r.path.split(/\{\w+\}/).map(escapeRegExp).join('[^/]+')}/?$`),
}));

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `/v1/stages/prod/history` → `/v1/stages/{stage}/history`; HEAD counts as GET, as Express serves it. */
export function routeTemplate(method: string, path: string): string {
  const m = method === 'HEAD' ? 'GET' : method;
  return TEMPLATES.find((t) => t.method === m && t.pattern.test(path))?.route ?? UNMATCHED;
}

/** The children of one label set, found once: prom-client hashes the label object on every inc() and observe(). */
interface Series {
  requests: { inc(): void };
  duration: { observe(seconds: number): void };
}

// Bounded: a path with an id in it (/v1/decisions/{id}) is a new key each time; past the cap
// lookups are simply not remembered (the series themselves are bounded by the route table).
const CACHE_LIMIT = 2_000;

/** First middleware of the app: counts every answer, whoever sends it (a router, the key check, the error handler). */
export function countHttpRequests(metrics: HttpMetrics): RequestHandler {
  const templates = new Map<string, string>();
  const series = new Map<string, Series>();
  const templateOf = (method: string, path: string): string => {
    const key = `${method} ${path}`;
    let route = templates.get(key);
    if (route === undefined) {
      route = routeTemplate(method, path);
      if (templates.size < CACHE_LIMIT) templates.set(key, route);
    }
    return route;
  };
  const seriesOf = (route: string, method: string, status: number): Series => {
    const key = `${route} ${method} ${status}`;
    let found = series.get(key);
    if (!found) {
      found = { requests: metrics.requests.labels(route, method, String(status)), duration: metrics.duration.labels(route, method) };
      series.set(key, found);
    }
    return found;
  };
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    let counted = false;
    const count = () => {
      if (counted) return;
      counted = true;
      const s = seriesOf(templateOf(req.method, req.path), req.method, res.statusCode);
      s.requests.inc();
      s.duration.observe(Number(process.hrtime.bigint() - started) / 1e9);
    };
    // finish: the answer was sent; close alone: the client went away first (an event stream, an abort).
    res.once('finish', count);
    res.once('close', count);
    next();
  };
}
