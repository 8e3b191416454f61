/**
 * The one reader of the environment. Every setting has a default and is
 * checked here, so that a bad value stops the server at start with a message
 * naming the variable, never later in a request.
 */
import { join } from 'node:path';
import { MODES, type Mode } from '../contract/modes.js';
import type { Role } from './auth/key-store.js';

export const ROLES: readonly Role[] = ['evaluator', 'admin'];

export interface ConfiguredKey {
  role: Role;
  key: string;
}

export interface Limits {
  /** Largest JSON body accepted, in bytes. @defaultValue 256 kB */
  bodyBytes: number;
  /** Most posts in one `content` array. @defaultValue 100 */
  postsPerRequest: number;
  /** Most UTF-16 units in one post (or in a string `content`). @defaultValue 40,000 */
  charsPerPost: number;
  /** Time budget of one evaluation by the engine. @defaultValue 2,000 ms */
  evaluationTimeoutMs: number;
}

/**
 * Thresholds of the readiness (burn-in) report's verdict (docs/rollout.md). Percentages and
 * whole units, so that they read like the runbook: "coverage ≥ 95 %", "p90 < 2 s".
 */
export interface ReadinessThresholds {
  /** To enter enforced: telemetry coverage ≥ this, in percent. @defaultValue 95 */
  enterMinCoveragePct: number;
  /** To enter enforced: p90 evaluate latency < this, in ms. @defaultValue 2,000 */
  enterMaxP90Ms: number;
  /** To enter enforced: at least this many hours pinned advisory within the window. @defaultValue 72 */
  enterMinAdvisoryHours: number;
  /** To stay enforced: agent failure rate < this, in percent. @defaultValue 2 */
  stayMaxAgentFailurePct: number;
  /** To stay enforced: telemetry coverage ≥ this, in percent. @defaultValue 100 */
  stayMinCoveragePct: number;
}

/** Where the engine runs (server/evaluations/engine-workers.ts, docs/decisions/0011-engine-worker-pool.md). */
export interface EngineConfig {
  /** Worker threads evaluating long posts under a hard deadline; 0 → all inline (no hard deadline). @defaultValue 2 */
  threads: number;
  /** Posts totalling at most this many UTF-16 units are evaluated inline (the hop costs more). @defaultValue 500 (X and Threads posts) */
  inlineChars: number;
  /**
   * A pack's short posts run inline only if its worst-case probe of `inlineChars` (engine/tooling/worst-case.ts)
   * takes at most this; otherwise all its posts go to the workers, under the hard deadline. @defaultValue 50 ms
   */
  inlineLimitMs: number;
  /** Compile the rules folder's packs in the workers at start (serve), not at the first long post. @defaultValue true */
  warmAtStart: boolean;
}

/** Connections and streams one process holds (server/http/connections.ts). */
export interface HttpConfig {
  /** Time to receive a request's headers; slow-header connections are cut after it. @defaultValue 10,000 ms */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included. @defaultValue 30,000 ms */
  requestTimeoutMs: number;
  /** Idle keep-alive connections are closed after it. @defaultValue 5,000 ms */
  keepAliveTimeoutMs: number;
  /** Open connections; more are answered 503 OVERLOADED and closed. @defaultValue 2,000 */
  maxConnections: number;
  /** Largest request head (request line and headers). @defaultValue 16 kB */
  maxHeaderBytes: number;
  /** Event streams open at once in all. @defaultValue 100 */
  maxStreams: number;
  /** Event streams open at once per API key. @defaultValue 5 */
  maxStreamsPerKey: number;
}

export interface Config {
  port: number;
  host: string;
  /** PostgreSQL URL; absent → embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  rulesDir: string;
  /**
   * Folder of compiled packs kept between starts (server/packs/pack-cache.ts); undefined: none.
   * @defaultValue `${GATEHOUSE_DATA_DIR}/pack-cache` (`GATEHOUSE_PACK_CACHE_DIR=off` turns it off)
   */
  packCacheDir?: string;
  apiKeys: ConfiguredKey[];
  /** Every stage served as `off`. */
  killSwitch: boolean;
  /** Highest effective mode any stage may run in. @defaultValue 'enforced' (no cap) */
  modeCeiling: Mode;
  /** Keep the content itself in audit rows (its hash and size are always kept). */
  auditStoreContent: boolean;
  receiptTtlSeconds: number;
  /** Age (days) at which the receipt signing key is rotated; 0 → only `gatehouse keys rotate`. @defaultValue 30 */
  receiptKeyRotateDays: number;
  limits: Limits;
  engine: EngineConfig;
  http: HttpConfig;
  audit: { tickMs: number; maxBatch: number };
  /** How often each audit chain's new head is logged (`audit chain head`, for `audit verify --heads`); 0 → never. @defaultValue 60 */
  auditHeadLogSeconds: number;
  /** What keeps audit rows safe when the database is down or slow (docs/decisions/0004-audit-outbox.md). */
  auditSink: AuditSinkConfig;
  /** Origins allowed by CORS; empty → no CORS headers at all. */
  corsOrigins: string[];
  /** Requests per minute per API key; 0 → no limit. */
  rateLimitPerMinute: number;
  logLevel: string;
  /** Bytes of log lines gathered before a write (server/logger.ts logDestination); 0: a write per line. */
  logBufferBytes: number;
  /** Propagation of pins and the kill switch, fleet attestation, shadow evaluation (docs/rollout.md). */
  rollout: RolloutConfig;
  readiness: ReadinessThresholds;
}

export interface RolloutConfig {
  /** Re-read of pins and kill switch when no notification came (missed ones included). @defaultValue 5,000 ms */
  pollMs: number;
  /** Heartbeat of the fleet attestation; an instance is stale after three. @defaultValue 10,000 ms */
  fleetIntervalMs: number;
  /** Shadow candidates evaluated at once per instance. @defaultValue 2 */
  shadowConcurrency: number;
  /** Shadow evaluations waiting at most per instance; more are dropped (and counted). @defaultValue 1,000 */
  shadowQueue: number;
}

export interface AuditSinkConfig {
  /** Folder of the durable local outbox. @defaultValue `${GATEHOUSE_DATA_DIR}/outbox/<database>-<port>` (defaultOutboxDir) */
  outboxDir: string;
  /** Longest wait for an audit commit before the row goes to the outbox (the audit part of the latency budget). @defaultValue 1,000 ms */
  writeTimeoutMs: number;
  /** Consecutive failed audit writes that open the circuit breaker. @defaultValue 3 */
  breakerThreshold: number;
  /** Time the breaker stays open before it lets one probe through. @defaultValue 5,000 ms */
  breakerResetMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * `${dataDir}/outbox/<database>-<port>`: `pglite-8080`, or `pg-db.internal-5432-gatehouse-8080`
 * (host, port and database name of DATABASE_URL, never its credentials). An instance moved to
 * another port or database gets a new folder: the old one is replayed by starting an instance
 * with GATEHOUSE_OUTBOX_DIR pointing at it (docs/operations.md).
 */
export function defaultOutboxDir(dataDir: string, databaseUrl: string | undefined, port: number): string {
  let database = 'pglite';
  if (databaseUrl) {
    try {
      const url = new URL(databaseUrl);
      database = `pg-${url.hostname || 'localhost'}-${url.port || '5432'}-${decodeURIComponent(url.pathname.slice(1)) || 'postgres'}`;
    } catch {
      database = 'pg';
    }
  }
  return join(dataDir, 'outbox', `${database}-${port}`.replace(/[^A-Za-z0-9._-]+/g, '_'));
}

function packCacheDir(value: string): string | undefined {
  return value === 'off' || value === '' ? undefined : value;
}

/** Reads and checks the environment; throws one ConfigError listing every problem. */
export function createConfig(env: NodeJS.ProcessEnv): Config {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);
  const port = read.int('PORT', 8080, 0, 65535);
  const databaseUrl = read.databaseUrl('DATABASE_URL');
  const dataDir = read.string('GATEHOUSE_DATA_DIR', './data');
  const config: Config = {
    port,
    host: read.string('GATEHOUSE_HOST', '0.0.0.0'),
    databaseUrl,
    dataDir,
    rulesDir: read.string('GATEHOUSE_RULES_DIR', './rules'),
    packCacheDir: packCacheDir(read.string('GATEHOUSE_PACK_CACHE_DIR', join(dataDir, 'pack-cache'))),
    apiKeys: read.apiKeys('GATEHOUSE_API_KEYS'),
    killSwitch: read.bool('GATEHOUSE_KILL_SWITCH', false),
    modeCeiling: read.oneOf('GATEHOUSE_MODE_CEILING', MODES, 'enforced'),
    auditStoreContent: read.bool('GATEHOUSE_AUDIT_STORE_CONTENT', false),
    receiptTtlSeconds: read.int('GATEHOUSE_RECEIPT_TTL_SECONDS', 86_400, 1, 31_536_000),
    receiptKeyRotateDays: read.int('GATEHOUSE_RECEIPT_KEY_ROTATE_DAYS', 30, 0, 3_650),
    limits: {
      bodyBytes: read.bytes('GATEHOUSE_MAX_BODY', 256 * 1024),
      postsPerRequest: read.int('GATEHOUSE_MAX_POSTS', 100, 1, 10_000),
      charsPerPost: read.int('GATEHOUSE_MAX_POST_CHARS', 40_000, 1, 10_000_000),
      evaluationTimeoutMs: read.int('GATEHOUSE_EVALUATION_TIMEOUT_MS', 2_000, 1, 600_000),
    },
    engine: {
      threads: read.int('GATEHOUSE_ENGINE_THREADS', 2, 0, 64),
      inlineChars: read.int('GATEHOUSE_ENGINE_INLINE_CHARS', 500, 0, 10_000_000),
      inlineLimitMs: read.int('GATEHOUSE_ENGINE_INLINE_LIMIT_MS', 50, 1, 600_000),
      warmAtStart: read.bool('GATEHOUSE_ENGINE_WARM', true),
    },
    http: {
      headersTimeoutMs: read.int('GATEHOUSE_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
      requestTimeoutMs: read.int('GATEHOUSE_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
      keepAliveTimeoutMs: read.int('GATEHOUSE_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
      maxConnections: read.int('GATEHOUSE_MAX_CONNECTIONS', 2_000, 1, 1_000_000),
      maxHeaderBytes: read.bytes('GATEHOUSE_MAX_HEADER_BYTES', 16 * 1024),
      maxStreams: read.int('GATEHOUSE_MAX_STREAMS', 100, 0, 100_000),
      maxStreamsPerKey: read.int('GATEHOUSE_MAX_STREAMS_PER_KEY', 5, 0, 100_000),
    },
    audit: {
      tickMs: read.int('GATEHOUSE_AUDIT_TICK_MS', 1, 0, 1_000),
      maxBatch: read.int('GATEHOUSE_AUDIT_MAX_BATCH', 200, 1, 5_000),
    },
    auditHeadLogSeconds: read.int('GATEHOUSE_AUDIT_HEAD_LOG_SECONDS', 60, 0, 86_400),
    auditSink: {
      // Beside the data by default, as it must survive restarts as the data does; one folder per
      // instance (database and port), so that two instances in one checkout never share one.
      outboxDir: read.string('GATEHOUSE_OUTBOX_DIR', defaultOutboxDir(dataDir, databaseUrl, port)),
      writeTimeoutMs: read.int('GATEHOUSE_AUDIT_WRITE_TIMEOUT_MS', 1_000, 1, 60_000),
      breakerThreshold: read.int('GATEHOUSE_AUDIT_BREAKER_THRESHOLD', 3, 1, 10_000),
      breakerResetMs: read.int('GATEHOUSE_AUDIT_BREAKER_RESET_MS', 5_000, 10, 3_600_000),
    },
    corsOrigins: read.list('GATEHOUSE_CORS_ORIGINS'),
    rateLimitPerMinute: read.int('GATEHOUSE_RATE_LIMIT_PER_MINUTE', 60_000, 0, 100_000_000),
    logLevel: read.oneOf('GATEHOUSE_LOG_LEVEL', LOG_LEVELS, 'info'),
    // Below one write's most (LOG_MAX_WRITE, 4,096 bytes: server/logger.ts).
    logBufferBytes: read.int('GATEHOUSE_LOG_BUFFER_BYTES', 3_072, 0, 4_000),
    rollout: {
      pollMs: read.int('GATEHOUSE_ROLLOUT_POLL_MS', 5_000, 100, 600_000),
      fleetIntervalMs: read.int('GATEHOUSE_FLEET_INTERVAL_MS', 10_000, 100, 3_600_000),
      shadowConcurrency: read.int('GATEHOUSE_SHADOW_CONCURRENCY', 2, 1, 64),
      shadowQueue: read.int('GATEHOUSE_SHADOW_QUEUE', 1_000, 1, 1_000_000),
    },
    readiness: {
      enterMinCoveragePct: read.int('GATEHOUSE_READINESS_ENTER_MIN_COVERAGE_PCT', 95, 0, 100),
      enterMaxP90Ms: read.int('GATEHOUSE_READINESS_ENTER_MAX_P90_MS', 2_000, 1, 600_000),
      enterMinAdvisoryHours: read.int('GATEHOUSE_READINESS_ENTER_MIN_ADVISORY_HOURS', 72, 0, 8_784),
      stayMaxAgentFailurePct: read.int('GATEHOUSE_READINESS_STAY_MAX_AGENT_FAILURE_PCT', 2, 0, 100),
      stayMinCoveragePct: read.int('GATEHOUSE_READINESS_STAY_MIN_COVERAGE_PCT', 100, 0, 100),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

class EnvReader {
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly problems: string[],
  ) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      this.problems.push(`${name}=${value}: expected a whole number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    this.problems.push(`${name}=${value}: expected 1 or 0 (true/false)`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name}=${value}: expected one of ${allowed.join(', ')}`);
    return fallback;
  }

  list(name: string): string[] {
    const value = this.raw(name);
    return value === undefined ? [] : value.split(',').map((s) => s.trim()).filter(Boolean);
  }

  /** `256kb`, `1mb`, `4096` (bytes). */
  bytes(name: string, fallback: number): number {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    const match = /^(\d+)\s*(b|kb|mb)?$/.exec(value);
    const units = { b: 1, kb: 1024, mb: 1024 * 1024 } as const;
    const n = match ? Number(match[1]) * units[(match[2] ?? 'b') as keyof typeof units] : NaN;
    if (!Number.isFinite(n) || n < 1024 || n > 64 * 1024 * 1024) {
      this.problems.push(`${name}=${value}: expected a size from 1kb to 64mb, such as 256kb`);
      return fallback;
    }
    return n;
  }

  databaseUrl(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (!/^postgres(ql)?:\/\//.test(value)) {
      // Never echo the value: a URL may carry a password.
      this.problems.push(`${name}: expected a postgres:// or postgresql:// URL`);
      return undefined;
    }
    return value;
  }

  /** `admin:KEY,evaluator:KEY`; keys never appear in messages. */
  apiKeys(name: string): ConfiguredKey[] {
    const keys: ConfiguredKey[] = [];
    this.list(name).forEach((pair, i) => {
      const at = pair.indexOf(':');
      const role = pair.slice(0, at);
      const key = pair.slice(at + 1);
      if (at < 1 || !(ROLES as readonly string[]).includes(role)) {
        this.problems.push(`${name} entry ${i + 1}: expected role:key with role evaluator or admin`);
      } else if (key.length < 16) {
        this.problems.push(`${name} entry ${i + 1} (${role}): the key must be at least 16 characters`);
      } else {
        keys.push({ role: role as Role, key });
      }
    });
    return keys;
  }
}
