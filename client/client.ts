/**
 * GatehouseClient: the typed HTTP client a backend service imports to call
 * gatehouse. Global fetch, a timeout per attempt, and retries with
 * exponential backoff and full jitter for idempotent calls only: a retried
 * evaluate could record one piece of content twice, so it is retried only
 * when the caller says that is acceptable.
 */
import type { ReceiptExpectation } from '../contract/posting-rule.js';
import { GatehouseError } from './gatehouse-error.js';
import type {
  AgentRun, EvaluateInput, EvaluateResult, JsonWebKeySet, KillSwitchChange, KillSwitchState, OverrideInput, OverrideResult,
  PostContent, RecordedAgentRun, StageChanges, StageListing, StagePin, StageView, StoredDecision, VerifiedReceipt,
} from './types.js';

export interface GatehouseClientOptions {
  /** Where gatehouse listens, e.g. `http://gatehouse:8080`. */
  baseUrl: string | URL;
  /** API key, sent as `Authorization: Bearer <key>` (evaluator, or admin for admin calls). */
  apiKey?: string;
  /** Time limit of one attempt, body included. @defaultValue 10,000 ms */
  timeoutMs?: number;
  /** Extra attempts for idempotent calls. @defaultValue 2 */
  retries?: number;
  /** First backoff ceiling; doubles per attempt, with full jitter. @defaultValue 200 ms */
  backoffMs?: number;
  /** Highest backoff ceiling. @defaultValue 5,000 ms */
  maxBackoffMs?: number;
  /** A `Retry-After` longer than this is not waited for: the error is thrown instead. @defaultValue 30,000 ms */
  maxRetryAfterMs?: number;
  /** Replaces global fetch (instrumentation, proxies). */
  fetch?: typeof fetch;
}

export interface CallOptions {
  /** Aborts the call; an aborted call is never retried and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
}

export interface EvaluateOptions extends CallOptions {
  /**
   * Allow retries of this evaluation on network errors, timeouts, 429 and
   * 503. The decision is a pure function of the content and the stage's pin,
   * but the service has no idempotency key: an attempt whose answer was lost
   * may already have written its audit row, so a retry can leave two audit
   * rows (two request_ids) for the same content. Either receipt is valid.
   * @defaultValue false
   */
  idempotent?: boolean;
}

interface Call extends CallOptions {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: unknown;
  idempotent: boolean;
}

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const RETRY_CODES = new Set(['NETWORK_ERROR', 'TIMEOUT']);

/** Typed client of the gatehouse HTTP API. Every failure rejects with a {@link GatehouseError}. */
export class GatehouseClient {
  readonly baseUrl: URL;
  private readonly options: Required<Omit<GatehouseClientOptions, 'baseUrl' | 'apiKey' | 'fetch'>>;
  private readonly apiKey?: string;
  private readonly fetchImpl: typeof fetch;

  constructor(options: GatehouseClientOptions) {
    this.baseUrl = new URL(options.baseUrl);
    this.apiKey = options.apiKey;
    // Called through a wrapper: some fetch implementations refuse to run with `this` set to another object.
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.options = {
      timeoutMs: options.timeoutMs ?? 10_000,
      retries: options.retries ?? 2,
      backoffMs: options.backoffMs ?? 200,
      maxBackoffMs: options.maxBackoffMs ?? 5_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 30_000,
    };
  }

  /** Public JWKS of the service, for {@link createJwksVerifier}. */
  get jwksUrl(): URL {
    return new URL('/.well-known/jwks.json', this.baseUrl);
  }

  /** `POST /v1/evaluate`: a decision (always a result, never an error) with its receipt. Not retried unless `idempotent`. */
  evaluate(input: EvaluateInput, options: EvaluateOptions = {}): Promise<EvaluateResult> {
    const { idempotent = false, ...call } = options;
    return this.call({ method: 'POST', path: '/v1/evaluate', body: input, idempotent, ...call });
  }

  /** `GET /v1/decisions/{request_id}`: the decision as stored in its audit row (the receipt's `sub`). */
  getDecision(requestId: string, options: CallOptions = {}): Promise<StoredDecision> {
    return this.call({ method: 'GET', path: `/v1/decisions/${encodeURIComponent(requestId)}`, idempotent: true, ...options });
  }

  /**
   * `POST /v1/receipts/verify`: checks a receipt against the content about
   * to be posted. A refused receipt rejects with ENFORCEMENT_RECEIPT_REQUIRED,
   * RECEIPT_INVALID, RECEIPT_CONTENT_MISMATCH or RECEIPT_EXPIRED; with `stage` / `platform`,
   * a receipt decided for another one rejects with RECEIPT_STAGE_MISMATCH / RECEIPT_PLATFORM_MISMATCH.
   * Retried: it changes nothing.
   */
  verifyReceipt(receipt: string | undefined, content: PostContent, options: CallOptions & ReceiptExpectation = {}): Promise<VerifiedReceipt> {
    const { stage, platform, ...call } = options;
    return this.call({ method: 'POST', path: '/v1/receipts/verify', body: { receipt, content, stage, platform }, idempotent: true, ...call });
  }

  /** `POST /v1/agent-runs`: one append-only telemetry row. Not retried (a retry could record the run twice). */
  reportAgentRun(run: AgentRun, options: CallOptions = {}): Promise<RecordedAgentRun> {
    return this.call({ method: 'POST', path: '/v1/agent-runs', body: run, idempotent: false, ...options });
  }

  /** `GET /v1/stages`: pins, effective modes, kill switch and ceiling. */
  listStages(options: CallOptions = {}): Promise<StageListing> {
    return this.call({ method: 'GET', path: '/v1/stages', idempotent: true, ...options });
  }

  /** `PUT /v1/stages/{stage}` (admin): pin a published pack version and a mode. Not retried: each pin is a history entry. */
  pinStage(stage: string, pin: StagePin, options: CallOptions = {}): Promise<StageView> {
    return this.call({ method: 'PUT', path: `/v1/stages/${encodeURIComponent(stage)}`, body: pin, idempotent: false, ...options });
  }

  /** `GET /v1/stages/{stage}/history`: pin changes, newest first. */
  stageHistory(stage: string, options: CallOptions = {}): Promise<StageChanges> {
    return this.call({ method: 'GET', path: `/v1/stages/${encodeURIComponent(stage)}/history`, idempotent: true, ...options });
  }

  /** `GET /v1/kill-switch` (admin): whether every stage is forced to off, why, and the history. */
  getKillSwitch(options: CallOptions = {}): Promise<KillSwitchState> {
    return this.call({ method: 'GET', path: '/v1/kill-switch', idempotent: true, ...options });
  }

  /**
   * `POST /v1/kill-switch` (admin): engage (every stage on every instance →
   * off, so posting gates let everything through) or release it, with a
   * reason. Not retried: each change is a recorded event.
   */
  setKillSwitch(change: KillSwitchChange, options: CallOptions = {}): Promise<KillSwitchState> {
    return this.call({ method: 'POST', path: '/v1/kill-switch', body: change, idempotent: false, ...options });
  }

  /**
   * `POST /v1/overrides` (admin): a person allows one enforced FAIL, with
   * actor and reason; answers a new receipt marked `override: true` that the
   * posting gate accepts. Not retried: each call records an override.
   */
  createOverride(input: OverrideInput, options: CallOptions = {}): Promise<OverrideResult> {
    return this.call({ method: 'POST', path: '/v1/overrides', body: input, idempotent: false, ...options });
  }

  /** `GET /.well-known/jwks.json`: the public keys that verify receipts. */
  jwks(options: CallOptions = {}): Promise<JsonWebKeySet> {
    return this.call({ method: 'GET', path: '/.well-known/jwks.json', idempotent: true, ...options });
  }

  private async call<T>(call: Call): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.attempt(call)) as T;
      } catch (error) {
        const delay = call.idempotent && attempt < this.options.retries ? this.retryDelay(error, attempt) : undefined;
        if (delay === undefined) throw error;
        await sleep(delay, call.signal);
      }
    }
  }

  private async attempt(call: Call): Promise<unknown> {
    const timeoutMs = call.timeoutMs ?? this.options.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.apiKey) headers.Authorization = `Bearer ${this.apiKey}`;
    if (call.body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      const res = await this.fetchImpl(new URL(call.path, this.baseUrl), {
        method: call.method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal,
      });
      const text = await res.text();
      if (res.ok) return text === '' ? undefined : JSON.parse(text);
      throw errorFromAnswer(res, text);
    } catch (error) {
      if (error instanceof GatehouseError) throw error;
      // The caller's own abort is theirs to handle: rethrow it as is, never retried.
      if (call.signal?.aborted) throw call.signal.reason;
      if (timeout.aborted) {
        throw new GatehouseError('TIMEOUT', `${call.method} ${call.path} got no answer within ${timeoutMs} ms.`, {
          details: { timeout_ms: timeoutMs },
          cause: error,
        });
      }
      if (error instanceof SyntaxError) {
        throw new GatehouseError('UNEXPECTED_RESPONSE', `${call.method} ${call.path} answered with a body that is not JSON.`, { cause: error });
      }
      throw new GatehouseError('NETWORK_ERROR', `${call.method} ${call.path} failed: ${(error as Error).message}.`, { cause: error });
    }
  }

  /** Milliseconds to wait before the next attempt, or undefined to give up. */
  private retryDelay(error: unknown, attempt: number): number | undefined {
    if (!(error instanceof GatehouseError)) return undefined;
    if (!RETRY_CODES.has(error.code) && !RETRY_STATUSES.has(error.status)) return undefined;
    if (error.retryAfterSeconds !== undefined) {
      const ms = error.retryAfterSeconds * 1000;
      return ms <= this.options.maxRetryAfterMs ? ms : undefined;
    }
    const ceiling = Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** attempt);
    return Math.random() * ceiling;
  }
}

/** A non-2xx answer as a GatehouseError: the service's own error when it sent one. */
function errorFromAnswer(res: Response, text: string): GatehouseError {
  const init = {
    status: res.status,
    requestId: res.headers.get('x-request-id') ?? undefined,
    retryAfterSeconds: retryAfterSeconds(res.headers.get('retry-after')),
  };
  const body = parseJson(text) as { error?: { code?: unknown; message?: unknown; suggestedFix?: unknown; details?: unknown } } | undefined;
  const e = body?.error;
  if (e && typeof e.code === 'string' && typeof e.message === 'string') {
    return new GatehouseError(e.code, e.message, {
      ...init,
      suggestedFix: typeof e.suggestedFix === 'string' ? e.suggestedFix : undefined,
      details: e.details,
    });
  }
  return new GatehouseError('UNEXPECTED_RESPONSE', `HTTP ${res.status} without the gatehouse error shape.`, {
    ...init,
    details: { body: text.slice(0, 200) },
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `Retry-After` as seconds (delta-seconds or an HTTP date). */
export function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
