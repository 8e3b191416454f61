// A small closed-loop load for the fault tests: N workers post evaluations back to back and record
// every answer (and every request that got none), until stopped.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { sleep } from '../../helpers/server-process.js';

export interface Answer {
  request_id: string;
  stage: string;
  mode: string;
  audit_ok: boolean;
  allowed: boolean;
  receipt: boolean;
  warnings: string[];
  error?: string;
  at: number;
  latency_ms: number;
}

export interface LoadResult {
  answers: Answer[];
  /** HTTP answers that were not decisions (status, error code). */
  refused: { status: number; code?: string }[];
  /** Requests that got no HTTP answer at all (server killed, connection refused). */
  unanswered: number;
}

export interface Load {
  /** Answers so far (live). */
  readonly answers: Answer[];
  stop(): Promise<LoadResult>;
}

const TEXTS = [
  'We are launching the new garden planner today. Plan your beds in minutes.',
  'This fucking planner is the best thing we have built.',
  ['1/2 Thread about soil health and compost.', '2/2 Share your tips with friends.'],
];

export function startLoad(url: string, key: string, stages: string[], workers = 6): Load {
  const result: LoadResult = { answers: [], refused: [], unanswered: 0 };
  let running = true;
  let n = 0;

  async function worker(): Promise<void> {
    while (running) {
      const i = n++;
      const started = performance.now();
      let res: Response;
      try {
        res = await fetch(`${url}/v1/evaluate`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ content: TEXTS[i % TEXTS.length], stage: stages[i % stages.length], workflow_id: 'faults' }),
        });
      } catch {
        result.unanswered += 1;
        // The server is gone: do not spin on refused connections.
        await sleep(20);
        continue;
      }
      let body: Record<string, any>;
      try {
        body = (await res.json()) as Record<string, any>;
      } catch {
        result.unanswered += 1;
        continue;
      }
      if (res.status !== 200 || typeof body.request_id !== 'string') {
        result.refused.push({ status: res.status, code: body?.error?.code });
        continue;
      }
      result.answers.push({
        request_id: body.request_id,
        stage: body.stage,
        mode: body.mode,
        audit_ok: body.audit_ok,
        allowed: body.allowed,
        receipt: typeof body.receipt === 'string',
        warnings: (body.warnings as { code: string }[]).map((w) => w.code),
        error: body.error?.code,
        at: Date.now(),
        latency_ms: performance.now() - started,
      });
    }
  }

  const done = Promise.all(Array.from({ length: workers }, () => worker()));
  return {
    answers: result.answers,
    async stop() {
      running = false;
      await done;
      return result;
    },
  };
}

/** How many times each id is in audit_events (ids absent from the table are absent from the map). */
export async function auditCounts(databaseUrl: string, ids: string[]): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ request_id: string; n: string }>(
      'SELECT request_id, count(*) AS n FROM audit_events WHERE request_id = ANY($1) GROUP BY request_id',
      [ids],
    );
    return new Map(rows.map((r) => [r.request_id, Number(r.n)]));
  } finally {
    await client.end();
  }
}

export async function auditTotal(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM audit_events');
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

/** Polls until every id is in the table, or the time is up; returns the last counts. */
export async function waitForRows(databaseUrl: string, ids: string[], withinMs: number): Promise<Map<string, number>> {
  const deadline = Date.now() + withinMs;
  let counts = new Map<string, number>();
  while (Date.now() < deadline) {
    try {
      counts = await auditCounts(databaseUrl, ids);
      if (counts.size === ids.length) return counts;
    } catch {
      // The database may still be starting.
    }
    await sleep(200);
  }
  return counts;
}

/** The value of one sample in Prometheus text, or undefined. */
export function metric(text: string, sample: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}
