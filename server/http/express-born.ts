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
 *
 * The constructor also says how big its objects are. V8 sizes a constructor's objects by the
 * `this.x =` assignments its parser counts, and `Born` assigns none itself: its objects had no
 * room for a field of their own, every one of Node's and Express's ~45 went to the out-of-object
 * store, and past 12 of them Node's symbol-keyed stores (`this[kOutHeaders] = …`) turned each
 * request and response into a dictionary (`%HasFastProperties` false; usually one normalized
 * map for all, so the shared-map test passed, but not always). The never-run assignments below
 * give them room; V8's slack tracking trims what is left unused after the first few.
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
  function Born(this: Record<string, unknown>, ...args: unknown[]): void {
    (base as unknown as (...a: unknown[]) => void).apply(this, args);
    // Never runs: V8 sizes a constructor's objects by the `this.x =` assignments its parser counts.
    // 64 give Node's and Express's ~45 fields room in the object itself (see the file comment).
    if (args.length < 0) this.p0 = this.p1 = this.p2 = this.p3 = this.p4 = this.p5 = this.p6 = this.p7 = this.p8 = this.p9 = this.p10 = this.p11 = this.p12 = this.p13 = this.p14 = this.p15 = this.p16 = this.p17 = this.p18 = this.p19 = this.p20 = this.p21 = this.p22 = this.p23 = this.p24 = this.p25 = this.p26 = this.p27 = this.p28 = this.p29 = this.p30 = this.p31 = this.p32 = this.p33 = this.p34 = this.p35 = this.p36 = this.p37 = this.p38 = this.p39 = this.p40 = this.p41 = this.p42 = this.p43 = this.p44 = this.p45 = this.p46 = this.p47 = this.p48 = this.p49 = this.p50 = this.p51 = this.p52 = this.p53 = this.p54 = this.p55 = this.p56 = this.p57 = this.p58 = this.p59 = this.p60 = this.p61 = this.p62 = this.p63 = 0;
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
