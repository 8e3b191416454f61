/**
 * requireReceipt: Express middleware for a posting service. It lets a post
 * through only with a valid receipt for exactly this content, decided for a
 * stage and a platform this service posts for, whose decision DESIGN.md
 * allows (a PASS, anything under off or advisory, an override),
 * so that gatehouse's kill switch unblocks posting with no change here. It
 * also caps posts per user. Express is only a type import: the app brings it.
 * express-rate-limit (for the per-user cap) is an optional peer dependency of
 * the client, loaded only when a gate with a rate limit is made, so that a
 * service that only verifies receipts installs neither it nor Express.
 */
import { createRequire } from 'node:module';
import type { Request, RequestHandler, Response } from 'express';
import type { Store } from 'express-rate-limit';
import type { GatehouseClient } from './client.js';
import { GatehouseError } from './gatehouse-error.js';
import { verifierFor, type KeySet, type ReceiptVerifier } from './offline-verify.js';
import type { ReceiptExpectation } from '../contract/posting-rule.js';
import type { PostContent, VerifiedReceipt } from './types.js';

/** Header the gate reads the receipt from (else `receipt` in the JSON body). */
export const RECEIPT_HEADER = 'X-Gatehouse-Receipt';
/** Header set on a post let through despite a FAIL (advisory mode, or an override). */
export const WARNING_HEADER = 'X-Gatehouse-Warning';

export interface PostingRateLimit {
  /** Posts per window per user. @defaultValue 5 */
  limit?: number;
  /** @defaultValue 15 minutes */
  windowMs?: number;
  /** Shared store for several instances (e.g. rate-limit-redis). @defaultValue in-process memory */
  store?: Store;
}

/** Stages or platforms a gate posts for: one, several, per request, or `'any'` to open the check explicitly. */
export type PostingScope = string | readonly string[] | 'any' | ((req: Request) => string | readonly string[] | undefined);

export interface RequireReceiptOptions {
  /**
   * The stage(s) this service posts for, e.g. `'prod'`. A receipt decided on any other stage
   * (an advisory `dev`, an `off` `sandbox`) is refused with RECEIPT_STAGE_MISMATCH. Required:
   * a gate without it would post an enforced stage's FAIL on another stage's receipt. `'any'`
   * opens the check on purpose; a function picks per request (undefined → refused).
   */
  stages: PostingScope;
  /**
   * The platform(s) this service posts to, e.g. `'x'`. A receipt decided under another
   * platform's rules (a 407-character PASS on threads) is refused with RECEIPT_PLATFORM_MISMATCH.
   * Required, like `stages`; `'any'` opens it, a function picks per request (e.g. from the body).
   */
  platforms: PostingScope;
  /**
   * Offline verification keys: the service's JWKS URL (cached; refetched on
   * an unknown `kid`), a JWKS object, or a verifier from createJwksVerifier.
   */
  jwks?: string | URL | KeySet | ReceiptVerifier;
  /**
   * A client with an evaluator key. Without `jwks`, receipts are verified
   * by the service (`POST /v1/receipts/verify`, one call per post). With
   * either, a QA_BLOCKED refusal carries the violations and required edits
   * fetched with `getDecision`; without a client it carries only the codes
   * and ids of the receipt.
   */
  client?: Pick<GatehouseClient, 'verifyReceipt' | 'getDecision'>;
  /** The content being posted. @defaultValue `req.body.content` */
  content?: (req: Request) => unknown;
  /** The receipt. @defaultValue the X-Gatehouse-Receipt header, else `req.body.receipt` */
  receipt?: (req: Request) => string | undefined;
  /** Who is posting, for the rate limit. @defaultValue the client IP (IPv6 by /56) */
  userId?: (req: Request) => string | undefined;
  /** Per-user posting limit; refused posts do not count. `false` turns it off. */
  rateLimit?: PostingRateLimit | false;
}

/** What the gate leaves in `res.locals.gatehouse` for the route handler. */
export interface PostingGateLocals {
  receipt: VerifiedReceipt;
  /** Set (and sent as X-Gatehouse-Warning) when a FAIL was let through. */
  warning?: string;
}

const FIFTEEN_MINUTES = 15 * 60_000;
const REFUSALS = new Set([
  'ENFORCEMENT_RECEIPT_REQUIRED', 'RECEIPT_INVALID', 'RECEIPT_CONTENT_MISMATCH', 'RECEIPT_EXPIRED',
  'RECEIPT_STAGE_MISMATCH', 'RECEIPT_PLATFORM_MISMATCH', 'INVALID_REQUEST',
]);

/** The posting gate: per-user rate limit, then receipt verification. Refusals answer the gatehouse error shape. */
export function requireReceipt(options: RequireReceiptOptions): RequestHandler {
  // Fail closed at construction: a gate that does not know what it posts for would accept any stage's receipt.
  const stagesOf = scopeOf(options.stages, 'stages', "'prod'");
  const platformsOf = scopeOf(options.platforms, 'platforms', "'x'");
  const verify = verifierOf(options);
  const contentOf = options.content ?? ((req: Request) => (req.body as { content?: unknown } | undefined)?.content);
  const receiptOf = options.receipt ?? defaultReceipt;
  const limiter = options.rateLimit === false ? undefined : postingLimiter(options.rateLimit ?? {}, options.userId);

  const gate: RequestHandler = async (req, res, next) => {
    let verified: VerifiedReceipt;
    try {
      const content = contentOf(req);
      if (!isContent(content)) {
        throw new GatehouseError('INVALID_REQUEST', 'There is no content to post: send a non-empty string or array of strings.', { status: 400 });
      }
      verified = await verify(receiptOf(req), content, { stage: stagesOf(req), platform: platformsOf(req) });
      if (!verified.allowed_to_post) throw await blocked(verified, options.client);
    } catch (error) {
      refuse(res, error);
      return;
    }
    // Outside the try: a failure of the app's own handler is the app's, not a refused receipt.
    const warning = warningOf(verified);
    if (warning) res.setHeader(WARNING_HEADER, warning);
    res.locals.gatehouse = { receipt: verified, warning } satisfies PostingGateLocals;
    next();
  };
  if (!limiter) return gate;
  return (req, res, next) => limiter(req, res, (error?: unknown) => (error ? next(error) : gate(req, res, next)));
}

type Verify = (receipt: string | undefined, content: PostContent, expected: ReceiptExpectation) => Promise<VerifiedReceipt>;

function verifierOf(options: RequireReceiptOptions): Verify {
  if (options.jwks) {
    const verifier = verifierFor(options.jwks);
    return (receipt, content, expected) => verifier.verify(receipt, content, expected);
  }
  const client = options.client;
  if (!client) throw new TypeError('requireReceipt needs `jwks` (offline verification) or `client` (verification by the service).');
  return (receipt, content, expected) => client.verifyReceipt(receipt, content, expected);
}

/** What a request is checked against for one scope: undefined when opened with `'any'`. */
function scopeOf(scope: PostingScope | undefined, name: string, example: string): (req: Request) => string | readonly string[] | undefined {
  if (scope === 'any') return () => undefined;
  if (typeof scope === 'function') {
    return (req) => {
      const picked = scope(req);
      if (picked === undefined || (typeof picked !== 'string' && picked.length === 0)) {
        throw new GatehouseError('INVALID_REQUEST', `This post names no ${name.replace(/s$/, '')} the gate can check its receipt against.`, {
          status: 400,
          suggestedFix: `Send the ${name.replace(/s$/, '')} this post is for.`,
        });
      }
      return picked;
    };
  }
  const valid = typeof scope === 'string' ? scope.length > 0 : Array.isArray(scope) && scope.length > 0 && scope.every((s) => typeof s === 'string' && s.length > 0);
  if (!valid) {
    throw new TypeError(
      `requireReceipt needs \`${name}\`: the ${name} this service posts for (e.g. ${example}), or '${'any'}' to accept receipts for every one of them.`,
    );
  }
  const fixed = scope as string | readonly string[];
  return () => fixed;
}

function defaultReceipt(req: Request): string | undefined {
  const header = req.get(RECEIPT_HEADER);
  if (header) return header;
  const body = (req.body as { receipt?: unknown } | undefined)?.receipt;
  return typeof body === 'string' ? body : undefined;
}

function isContent(value: unknown): value is PostContent {
  if (typeof value === 'string') return value.length > 0;
  return Array.isArray(value) && value.length > 0 && value.every((p) => typeof p === 'string' && p.length > 0);
}

/** An enforced FAIL: refused, with what to change when a client can fetch the decision. */
async function blocked(verified: VerifiedReceipt, client: RequireReceiptOptions['client']): Promise<GatehouseError> {
  const { claims } = verified;
  const details: Record<string, unknown> = {
    request_id: claims.sub,
    receipt_id: claims.jti,
    stage: claims.stage,
    mode: claims.mode,
    decision: claims.decision,
    policy: `${claims.pack}@${claims.policy_version}`,
  };
  let reason: { code: string; suggestedFix: string } | undefined;
  if (client) {
    try {
      const decision = await client.getDecision(claims.sub);
      Object.assign(details, { violations: decision.violations, required_edits: decision.required_edits });
      reason = decision.error;
    } catch {
      // Still refused: the receipt alone says FAIL under enforced. Only the detail is missing.
      details.decision_unavailable = true;
    }
  }
  return new GatehouseError(
    'QA_BLOCKED',
    `Gatehouse blocked this content under enforced mode${reason ? ` (${reason.code})` : ''}; it may not be posted.`,
    {
      status: 422,
      details,
      suggestedFix: reason?.suggestedFix ??
        `Apply the required edits of the evaluation (GET /v1/decisions/${claims.sub}), evaluate the edited content and post it with its new receipt.`,
    },
  );
}

function warningOf({ claims }: VerifiedReceipt): string | undefined {
  if (claims.decision !== 'FAIL') return undefined;
  // ASCII only: header values.
  if (claims.mode === 'enforced') return `FAIL under enforced mode, posted on override receipt ${claims.jti}`;
  return `FAIL under ${claims.mode} mode, not blocked; receipt ${claims.jti}, stage ${claims.stage}, ${claims.pack}@${claims.policy_version}`;
}

/** Answers the error shape; anything but a refusal means receipts cannot be checked now: fail closed with 503. */
function refuse(res: Response, error: unknown): void {
  if (error instanceof GatehouseError && (REFUSALS.has(error.code) || error.code === 'QA_BLOCKED')) {
    res.status(error.status || 422).json(error.toJSON());
    return;
  }
  const cause = error instanceof GatehouseError ? error.code : 'INTERNAL';
  const unavailable = new GatehouseError('VERIFIER_UNAVAILABLE', 'The receipt could not be checked right now, so the post is refused.', {
    status: 503,
    details: { cause },
  });
  res.status(503).setHeader('Retry-After', '5').json(unavailable.toJSON());
}

const require = createRequire(import.meta.url);

function loadRateLimit(): typeof import('express-rate-limit') {
  try {
    return require('express-rate-limit') as typeof import('express-rate-limit');
  } catch (error) {
    throw new TypeError('requireReceipt caps posts per user with express-rate-limit: install it (npm install express-rate-limit), or pass `rateLimit: false`.', {
      cause: error,
    });
  }
}

function postingLimiter(limits: PostingRateLimit, userId: RequireReceiptOptions['userId']): RequestHandler {
  const { ipKeyGenerator, rateLimit } = loadRateLimit();
  const limit = limits.limit ?? 5;
  const windowMs = limits.windowMs ?? FIFTEEN_MINUTES;
  return rateLimit({
    limit,
    windowMs,
    store: limits.store,
    // Only posts that went out count: a refused receipt must not cost the user one of their posts.
    skipFailedRequests: true,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => userId?.(req) ?? ipKeyGenerator(req.ip ?? ''),
    handler: (_req, res) => {
      const retryAfter = Number(res.getHeader('Retry-After') ?? Math.ceil(windowMs / 1000));
      const error = new GatehouseError(
        'RATE_LIMITED',
        `You can post ${limit} times every ${duration(windowMs)}. Try again in ${duration(retryAfter * 1000)}.`,
        { status: 429, retryAfterSeconds: retryAfter, details: { limit, window_seconds: Math.ceil(windowMs / 1000), retry_after_seconds: retryAfter } },
      );
      res.status(429).json(error.toJSON());
    },
  });
}

function duration(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  if (ms >= 60_000) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}
