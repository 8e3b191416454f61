// docs/examples/posting-service, started as its own process (as a user would run it) against a real gatehouse.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECEIPT_HEADER } from '../../client/index.js';
import { useDatabase } from '../helpers/databases.js';
import { CONTENT, EVALUATOR_KEY } from '../server/api/harness.js';
import { startGatehouse, type LiveGatehouse } from './live.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const EXAMPLE = path.join(ROOT, 'docs/examples/posting-service/server.ts');
// The example imports `@gatehouse/client`, which the npm workspace links to client/, whose "exports" map to its build.
const BUILT_CLIENT = path.join(ROOT, 'client/dist/client/index.js');

const database = useDatabase('pglite');
let live: LiveGatehouse;
let child: ChildProcess | undefined;
let url: string;
const output: string[] = [];

beforeAll(async () => {
  if (!existsSync(BUILT_CLIENT)) {
    throw new Error(`${BUILT_CLIENT} is missing: the example imports @gatehouse/client from client/dist/. Run \`npm run build\`.`);
  }
  live = await startGatehouse(database().db);
  child = spawn(process.execPath, ['--import', 'tsx', EXAMPLE], {
    cwd: ROOT,
    env: { ...process.env, GATEHOUSE_URL: live.url, GATEHOUSE_API_KEY: EVALUATOR_KEY, GATEHOUSE_STAGE: 't-enforced', GATEHOUSE_PLATFORM: 'x', PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example did not start within 20 s: ${output.join('')}`)), 20_000);
    child!.once('exit', (code) => reject(new Error(`the example exited with ${code}: ${output.join('')}`)));
    child!.stdout!.on('data', (d: Buffer) => {
      output.push(d.toString());
      const match = /listening on (http:\/\/\S+)/.exec(output.join(''));
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await live?.close();
});

async function post(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/posts`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'x-user': 'ada', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('docs/examples/posting-service', () => {
  it('refuses a post without a receipt', async () => {
    const res = await post({ content: CONTENT.pass });
    expect(res).toMatchObject({ status: 428, body: { error: { code: 'ENFORCEMENT_RECEIPT_REQUIRED' } } });
  });

  it('publishes a post with the receipt gatehouse gave for it', async () => {
    const answer = await live.client.evaluate({ content: CONTENT.pass, stage: 't-enforced' });
    const res = await post({ content: CONTENT.pass }, { [RECEIPT_HEADER]: answer.receipt! });
    expect(res).toMatchObject({ status: 201, body: { id: 1, user: 'ada', receipt_id: answer.receipt_id, warning: null } });
  });

  it('refuses a blocked post with its violations, and publishes nothing', async () => {
    const answer = await live.client.evaluate({ content: CONTENT.profane, stage: 't-enforced' });
    const res = await post({ content: CONTENT.profane, receipt: answer.receipt });
    expect(res).toMatchObject({ status: 422, body: { error: { code: 'QA_BLOCKED', details: { violations: [{ code: 'PROFANITY' }] } } } });
    const listed = (await (await fetch(`${url}/posts`)).json()) as { items: unknown[] };
    expect(listed.items).toHaveLength(1);
  });
});
