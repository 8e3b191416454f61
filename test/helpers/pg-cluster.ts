// A throwaway PostgreSQL cluster on its own port and socket folder, for tests that stop the
// database: the shared server other test files use concurrently is never touched.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './server-process.js';
import { isCi } from './databases.js';

const run = promisify(execFile);

export interface ThrowawayCluster {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust auth). */
  url: string;
  /** `pg_ctl stop` (fast: sessions are terminated, as in an operator's restart). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops the cluster if it runs and removes its folder; safe to call twice and after a failure. */
  destroy(): Promise<void>;
}

/** The PostgreSQL server binaries (initdb, pg_ctl), from PG_BINDIR or the Debian layout. */
export function postgresBinDir(): string | undefined {
  const candidates = [process.env.PG_BINDIR];
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    for (const version of readdirSync(root).sort((a, b) => Number(b) - Number(a))) candidates.push(path.join(root, version, 'bin'));
  }
  return candidates.find((dir): dir is string => dir !== undefined && existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl')));
}

/** Why no throwaway cluster can run here; under CI that is an error, not a reason to skip. */
export function clusterUnavailableReason(): string | undefined {
  const reason = postgresBinDir() ? undefined : 'PostgreSQL server binaries (initdb, pg_ctl) not found; set PG_BINDIR';
  if (reason && isCi()) throw new Error(`${reason} (CI is set: the fault tests must run, not skip)`);
  return reason;
}

/**
 * initdb + pg_ctl start on a free port. PostgreSQL refuses to run as root: as root the cluster
 * runs as the `postgres` OS user (runuser), otherwise as the current user.
 */
export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found');
  const root = mkdtempSync(path.join(tmpdir(), 'gh-pgcluster-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(root, await uidOf('postgres'), await gidOf('postgres'));
  const pg = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]) : run(path.join(bin, tool), args);

  const data = path.join(root, 'data');
  let running = false;
  const cluster: ThrowawayCluster = {
    port: 0,
    url: '',
    async start() {
      // The socket lives in the cluster's own folder: no clash with the shared server's socket in /var/run.
      const options = `-p ${cluster.port} -k ${root} -c listen_addresses=127.0.0.1 -c max_connections=50`;
      await pg('pg_ctl', ['-D', data, '-o', options, '-l', path.join(root, 'server.log'), '-w', '-t', '30', 'start']);
      running = true;
    },
    async stop(mode = 'fast') {
      await pg('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
      running = false;
    },
    async destroy() {
      try {
        if (running || existsSync(path.join(data, 'postmaster.pid'))) await cluster.stop('immediate').catch(() => undefined);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
  try {
    await pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    await startOnAFreePort(cluster);
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
  return cluster;
}

/** A port found free can be taken by another process before PostgreSQL binds it: try a few. */
async function startOnAFreePort(cluster: ThrowawayCluster): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    cluster.port = await freePort();
    cluster.url = `postgres://postgres@127.0.0.1:${cluster.port}/postgres`;
    try {
      await cluster.start();
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

async function uidOf(user: string): Promise<number> {
  return Number((await run('id', ['-u', user])).stdout.trim());
}

async function gidOf(user: string): Promise<number> {
  return Number((await run('id', ['-g', user])).stdout.trim());
}
