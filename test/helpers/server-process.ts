// The real server process (node dist/server/cli.js serve), as `npm start` runs it, for fault and load tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CLI = path.join(ROOT, 'dist/server/cli.js');
/**
 * One pack cache for every server the suite starts (server/packs/pack-cache.ts): the first start
 * compiles the packs, later ones take them (entries are per engine build and per file digest, so a
 * stale one is never taken). Under test/artifacts, which a fresh clone does not have.
 */
export const SUITE_PACK_CACHE = path.join(ROOT, 'test/artifacts/pack-cache');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** stdout and stderr, as they came. */
  output(): string;
  stdout(): string;
  stderr(): string;
  /** The exit code, or the signal's name when a signal ended the process (a crash says SIGABRT or SIGSEGV, not null). */
  exit: Promise<number | NodeJS.Signals>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the built server with `env` on top of the parent's (minus DATABASE_URL) and waits for /readyz.
 * On Linux the server listens on port 0 and the port it got is read from /proc: a port picked free
 * beforehand can be taken by another process (a concurrent test) before the server binds it, and
 * then /readyz would be answered by a stranger.
 */
export async function startServer(env: Record<string, string>, options: { readyWithinMs?: number } = {}): Promise<ServerProcess> {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: this test runs the built server. Run \`npm run build\` (npm ci builds it through \`prepare\`).`);
  }
  const viaProc = existsSync('/proc/self/net/tcp');
  const requested = viaProc ? 0 : await freePort();
  const { DATABASE_URL: _ignored, ...parentEnv } = process.env;
  const child = spawn(process.execPath, [CLI, 'serve'], {
    cwd: ROOT,
    env: {
      ...parentEnv,
      PORT: String(requested),
      GATEHOUSE_HOST: '127.0.0.1',
      GATEHOUSE_RULES_DIR: path.join(ROOT, 'rules'),
      GATEHOUSE_LOG_LEVEL: 'warn',
      // One engine worker thread, not the default two: each compiles every pack at start (seconds of
      // CPU) while the suite runs two test files at once on two cores. A test that is about the
      // workers, and the load test, say how many they want.
      GATEHOUSE_ENGINE_THREADS: '1',
      GATEHOUSE_PACK_CACHE_DIR: SUITE_PACK_CACHE,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  const stdout: string[] = [];
  const stderr: string[] = [];
  const collect = (stream: string[]) => (d: Buffer) => {
    chunks.push(d.toString());
    stream.push(d.toString());
  };
  child.stdout!.on('data', collect(stdout));
  child.stderr!.on('data', collect(stderr));
  const server: ServerProcess = {
    child,
    port: requested,
    url: '',
    output: () => chunks.join(''),
    stdout: () => stdout.join(''),
    stderr: () => stderr.join(''),
    exit: new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal!))),
  };
  await waitReady(server, options.readyWithinMs ?? 60_000);
  return server;
}

async function waitReady(server: ServerProcess, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`server exited with ${server.child.exitCode}: ${server.output()}`);
    if (server.port === 0) server.port = listeningPort(server.child.pid!) ?? 0;
    server.url = `http://127.0.0.1:${server.port}`;
    try {
      if (server.port !== 0 && (await fetch(`${server.url}/readyz`)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  server.child.kill('SIGKILL');
  throw new Error(`server not ready within ${withinMs} ms: ${server.output()}`);
}

/** The TCP port a process listens on, from its socket inodes and /proc/net/tcp (Linux). */
function listeningPort(pid: number): number | undefined {
  try {
    const inodes = new Set<string>();
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`, { encoding: 'utf8' });
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match) inodes.add(match[1]!);
    }
    for (const table of ['tcp', 'tcp6']) {
      for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        // cols: sl local_address rem_address st … inode (index 9); st 0A = LISTEN.
        if (cols[3] === '0A' && inodes.has(cols[9]!)) return Number.parseInt(cols[1]!.split(':')[1]!, 16);
      }
    }
  } catch {
    // The process is still starting, or has gone.
  }
  return undefined;
}

/**
 * SIGTERM and the exit code, or an error after `withinMs`. Anything but 0 comes with the end of the
 * server's stderr, so that a crash at shutdown says why.
 */
export async function stopServer(server: ServerProcess, withinMs = 15_000): Promise<0 | string> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
  const exit = await Promise.race([server.exit, sleep(withinMs).then(() => Promise.reject(new Error(`no exit within ${withinMs} ms of SIGTERM`)))]);
  return exit === 0 ? 0 : `${exit}: ${server.stderr().slice(-2000)}`;
}

export function killServer(server: ServerProcess): Promise<number | NodeJS.Signals> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  return server.exit;
}

export async function call(server: ServerProcess, method: string, url: string, key: string, body?: unknown) {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
