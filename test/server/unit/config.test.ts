import { describe, expect, it } from 'vitest';
import { ConfigError, createConfig } from '../../../server/config.js';

describe('createConfig', () => {
  it('has the documented defaults', () => {
    const c = createConfig({});
    expect(c).toMatchObject({
      port: 8080,
      databaseUrl: undefined,
      dataDir: './data',
      rulesDir: './rules',
      packCacheDir: 'data/pack-cache',
      apiKeys: [],
      killSwitch: false,
      modeCeiling: 'enforced',
      auditStoreContent: false,
      receiptTtlSeconds: 86_400,
      limits: { bodyBytes: 256 * 1024, postsPerRequest: 100, charsPerPost: 40_000, evaluationTimeoutMs: 2_000 },
      audit: { tickMs: 1, maxBatch: 200 },
      auditHeadLogSeconds: 60,
      corsOrigins: [],
      rateLimitPerMinute: 60_000,
      logBufferBytes: 3_072,
      engine: { threads: 2, inlineChars: 500, inlineLimitMs: 50, warmAtStart: true },
      http: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 2_000, maxHeaderBytes: 16 * 1024, maxStreams: 100, maxStreamsPerKey: 5 },
    });
  });

  it('keeps compiled packs beside the data unless told where, or told off', () => {
    expect(createConfig({ GATEHOUSE_DATA_DIR: '/srv/gh' }).packCacheDir).toBe('/srv/gh/pack-cache');
    expect(createConfig({ GATEHOUSE_PACK_CACHE_DIR: '/var/cache/gatehouse' }).packCacheDir).toBe('/var/cache/gatehouse');
    expect(createConfig({ GATEHOUSE_PACK_CACHE_DIR: 'off' }).packCacheDir).toBeUndefined();
  });

  it('reads the engine, connection and stream settings (issue 13)', () => {
    const c = createConfig({
      GATEHOUSE_ENGINE_THREADS: '0',
      GATEHOUSE_ENGINE_INLINE_CHARS: '0',
      GATEHOUSE_ENGINE_INLINE_LIMIT_MS: '20',
      GATEHOUSE_ENGINE_WARM: '0',
      GATEHOUSE_HEADERS_TIMEOUT_MS: '1000',
      GATEHOUSE_REQUEST_TIMEOUT_MS: '2000',
      GATEHOUSE_KEEP_ALIVE_TIMEOUT_MS: '3000',
      GATEHOUSE_MAX_CONNECTIONS: '10',
      GATEHOUSE_MAX_HEADER_BYTES: '8kb',
      GATEHOUSE_MAX_STREAMS: '0',
      GATEHOUSE_MAX_STREAMS_PER_KEY: '1',
    });
    expect(c.engine).toEqual({ threads: 0, inlineChars: 0, inlineLimitMs: 20, warmAtStart: false });
    expect(c.http).toEqual({ headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, keepAliveTimeoutMs: 3_000, maxConnections: 10, maxHeaderBytes: 8 * 1024, maxStreams: 0, maxStreamsPerKey: 1 });
    expect(() => createConfig({ GATEHOUSE_MAX_CONNECTIONS: '0' })).toThrow(/GATEHOUSE_MAX_CONNECTIONS=0/);
    expect(() => createConfig({ GATEHOUSE_ENGINE_THREADS: '65' })).toThrow(/GATEHOUSE_ENGINE_THREADS=65/);
  });

  it('reads every variable', () => {
    const c = createConfig({
      PORT: '0',
      DATABASE_URL: 'postgres://u:p@db:5432/gh',
      GATEHOUSE_DATA_DIR: '/tmp/gh',
      GATEHOUSE_RULES_DIR: '/srv/rules',
      GATEHOUSE_API_KEYS: 'admin:aaaaaaaaaaaaaaaa1, evaluator:bbbbbbbbbbbbbbbb2',
      GATEHOUSE_KILL_SWITCH: '1',
      GATEHOUSE_MODE_CEILING: 'advisory',
      GATEHOUSE_AUDIT_STORE_CONTENT: 'true',
      GATEHOUSE_RECEIPT_TTL_SECONDS: '60',
      GATEHOUSE_MAX_BODY: '1mb',
      GATEHOUSE_MAX_POSTS: '5',
      GATEHOUSE_MAX_POST_CHARS: '500',
      GATEHOUSE_EVALUATION_TIMEOUT_MS: '50',
      GATEHOUSE_AUDIT_TICK_MS: '0',
      GATEHOUSE_AUDIT_MAX_BATCH: '10',
      GATEHOUSE_AUDIT_HEAD_LOG_SECONDS: '0',
      GATEHOUSE_CORS_ORIGINS: 'https://a.example, https://b.example',
      GATEHOUSE_RATE_LIMIT_PER_MINUTE: '0',
      GATEHOUSE_LOG_BUFFER_BYTES: '0',
    });
    expect(c.port).toBe(0);
    expect(c.databaseUrl).toBe('postgres://u:p@db:5432/gh');
    expect(c.apiKeys).toEqual([
      { role: 'admin', key: 'aaaaaaaaaaaaaaaa1' },
      { role: 'evaluator', key: 'bbbbbbbbbbbbbbbb2' },
    ]);
    expect(c.killSwitch).toBe(true);
    expect(c.modeCeiling).toBe('advisory');
    expect(c.limits).toEqual({ bodyBytes: 1024 * 1024, postsPerRequest: 5, charsPerPost: 500, evaluationTimeoutMs: 50 });
    expect(c.audit).toEqual({ tickMs: 0, maxBatch: 10 });
    expect(c.auditHeadLogSeconds).toBe(0);
    expect(c.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(c.rateLimitPerMinute).toBe(0);
    expect(c.logBufferBytes).toBe(0);
  });

  it('lists every invalid value in one error, naming the variable', () => {
    let error: unknown;
    try {
      createConfig({ PORT: 'http', GATEHOUSE_MODE_CEILING: 'strict', GATEHOUSE_KILL_SWITCH: 'maybe', GATEHOUSE_MAX_BODY: '10gb' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/PORT=http.*whole number/);
    expect(problems.join('\n')).toMatch(/GATEHOUSE_MODE_CEILING=strict: expected one of off, advisory, enforced/);
    expect(problems.join('\n')).toMatch(/GATEHOUSE_KILL_SWITCH/);
    expect(problems.join('\n')).toMatch(/GATEHOUSE_MAX_BODY/);
  });

  it('never echoes a key or a database password', () => {
    const secret = 'supersecretvalue';
    let message = '';
    try {
      createConfig({ GATEHOUSE_API_KEYS: `root:${secret}1234,admin:short`, DATABASE_URL: `mysql://u:${secret}@h/db` });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/GATEHOUSE_API_KEYS entry 1: expected role:key/);
    expect(message).toMatch(/GATEHOUSE_API_KEYS entry 2 \(admin\): the key must be at least 16 characters/);
    expect(message).toMatch(/DATABASE_URL: expected a postgres/);
    expect(message).not.toContain(secret);
    expect(message).not.toContain('short');
  });
});
