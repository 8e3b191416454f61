/**
 * The one reader of the environment. Every setting has a default and is
 * checked here, so that a bad value stops the server at start with a message
 * naming the variable, never later in a request.
 */
import { MODES, type Mode } from './evaluations/modes.js';
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

export interface Config {
  port: number;
  host: string;
  /** PostgreSQL URL; absent → embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  rulesDir: string;
  apiKeys: ConfiguredKey[];
  /** Every stage served as `off`. */
  killSwitch: boolean;
  /** Highest effective mode any stage may run in. @defaultValue 'enforced' (no cap) */
  modeCeiling: Mode;
  /** Keep the content itself in audit rows (its hash and size are always kept). */
  auditStoreContent: boolean;
  receiptTtlSeconds: number;
  limits: Limits;
  audit: { tickMs: number; maxBatch: number };
  /** Origins allowed by CORS; empty → no CORS headers at all. */
  corsOrigins: string[];
  /** Requests per minute per API key; 0 → no limit. */
  rateLimitPerMinute: number;
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads and checks the environment; throws one ConfigError listing every problem. */
export function createConfig(env: NodeJS.ProcessEnv): Config {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);
  const config: Config = {
    port: read.int('PORT', 8080, 0, 65535),
    host: read.string('GATEHOUSE_HOST', '0.0.0.0'),
    databaseUrl: read.databaseUrl('DATABASE_URL'),
    dataDir: read.string('GATEHOUSE_DATA_DIR', './data'),
    rulesDir: read.string('GATEHOUSE_RULES_DIR', './rules'),
    apiKeys: read.apiKeys('GATEHOUSE_API_KEYS'),
    killSwitch: read.bool('GATEHOUSE_KILL_SWITCH', false),
    modeCeiling: read.oneOf('GATEHOUSE_MODE_CEILING', MODES, 'enforced'),
    auditStoreContent: read.bool('GATEHOUSE_AUDIT_STORE_CONTENT', false),
    receiptTtlSeconds: read.int('GATEHOUSE_RECEIPT_TTL_SECONDS', 86_400, 1, 31_536_000),
    limits: {
      bodyBytes: read.bytes('GATEHOUSE_MAX_BODY', 256 * 1024),
      postsPerRequest: read.int('GATEHOUSE_MAX_POSTS', 100, 1, 10_000),
      charsPerPost: read.int('GATEHOUSE_MAX_POST_CHARS', 40_000, 1, 10_000_000),
      evaluationTimeoutMs: read.int('GATEHOUSE_EVALUATION_TIMEOUT_MS', 2_000, 1, 600_000),
    },
    audit: {
      tickMs: read.int('GATEHOUSE_AUDIT_TICK_MS', 2, 0, 1_000),
      maxBatch: read.int('GATEHOUSE_AUDIT_MAX_BATCH', 200, 1, 5_000),
    },
    corsOrigins: read.list('GATEHOUSE_CORS_ORIGINS'),
    rateLimitPerMinute: read.int('GATEHOUSE_RATE_LIMIT_PER_MINUTE', 60_000, 0, 100_000_000),
    logLevel: read.oneOf('GATEHOUSE_LOG_LEVEL', LOG_LEVELS, 'info'),
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
