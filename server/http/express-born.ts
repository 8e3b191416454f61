/**
 * Requests and responses born with the Express app's prototypes.
 *
 * Express's `app.handle` gives every request and response a new prototype
 * (`Object.setPrototypeOf(req, app.request)`). In V8 (Node 20's 11.3) an object
 * whose prototype was changed takes a hidden class of its own for every property
 * added afterwards: each of Express's, the router's, the body parser's and our
 * additions made a new map per request, so every read of `req` or `res` in
 * the router and middleware was megamorphic and each request allocated maps.
 * gatehouse's CPU per request fell by a quarter with the objects born this way, and a bare
 * Express app's by half ([decision 21](../../docs/decisions/0021-requests-born-with-express-prototypes.md)).
 *
 * Node's server takes the classes it instantiates (`IncomingMessage`,
 * `ServerResponse` options). These constructors build Node's objects directly
 * on `app.request` / `app.response`, so Express's `setPrototypeOf` finds the
 * prototype already in place and does nothing, and the objects keep one shared
 * transition tree. Node 20's classes are plain functions, callable on `this`; if a
 * later Node makes them ES classes, that cannot work and the server keeps Node's own.
 */
import http from 'node:http';
import type { Express } from 'express';

type Constructor = new (...args: never[]) => object;

export interface BornClasses {
  IncomingMessage?: typeof http.IncomingMessage;
  ServerResponse?: typeof http.ServerResponse;
}

/** A constructor running `base` on an object whose prototype is already `prototype`. */
export function bornOn(base: Constructor, prototype: object): Constructor | undefined {
  // An ES class cannot be called on an existing object (it would throw at every request).
  if (Function.prototype.toString.call(base).startsWith('class')) return undefined;
  function Born(this: object, ...args: unknown[]): void {
    (base as unknown as (...a: unknown[]) => void).apply(this, args);
  }
  Born.prototype = prototype;
  return Born as unknown as Constructor;
}

/** The http.createServer options that make requests and responses with the app's prototypes. */
export function bornWithExpressPrototypes(app: Express): BornClasses {
  const IncomingMessage = bornOn(http.IncomingMessage, app.request);
  const ServerResponse = bornOn(http.ServerResponse, app.response);
  if (!IncomingMessage || !ServerResponse) return {};
  return {
    IncomingMessage: IncomingMessage as unknown as typeof http.IncomingMessage,
    ServerResponse: ServerResponse as unknown as typeof http.ServerResponse,
  };
}
