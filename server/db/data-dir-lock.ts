import { mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

// PGlite takes no lock on its data dir (pglite#323, #1106): two processes would both open it
// and corrupt it. A lock file holding the owner's pid refuses the second process.

export const LOCK_FILE_NAME = 'gatehouse.lock';

/** What this process is, written into every lock it takes so that a refused process can say who holds it: its command line until it says more. */
let holder = [basename(process.argv[1] ?? 'node'), ...process.argv.slice(2)].join(' ').replace(/\s+/g, ' ').slice(0, 200);

/** `gatehouse serve on http://0.0.0.0:8080, PostgreSQL postgres://…@db/gatehouse`: set once the process knows. */
export function describeLockHolder(description: string): void {
  holder = description.replace(/\s+/g, ' ').trim();
}

/** Another live process holds the folder. */
export class DataDirLockedError extends Error {
  readonly code = 'DATA_DIR_LOCKED';
  constructor(
    readonly lockFile: string,
    readonly pid: number,
    /** `The PGlite data dir /srv/gh/data`, `The audit outbox /srv/gh/data/outbox/pglite-8080`. */
    readonly what: string = `The data dir ${dirname(lockFile)}`,
    /** What the holder wrote about itself; undefined for a lock file of an older version. */
    readonly heldBy?: string,
  ) {
    super(
      `${what} is in use by process ${pid}${heldBy ? ` (${heldBy})` : ''}; lock file ${lockFile}. ` +
        'Stop that process, or give this one a folder of its own; if no such process runs any more, delete the lock file.',
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  readonly file: string;
  /** Removes the lock file if it is still ours; safe to call twice. */
  release(): void;
}

/**
 * Takes `${dataDir}/gatehouse.lock` (or `fileName`), taking over a stale lock whose process is
 * gone. The audit outbox takes its own file name, so that an outbox kept inside a PGlite data dir
 * never collides with the database's lock. `what` names the folder in the refusal.
 */
export function acquireDataDirLock(dataDir: string, fileName: string = LOCK_FILE_NAME, what = `The PGlite data dir ${resolve(dataDir)}`): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, fileName);
  if (!tryCreate(file)) {
    const owner = readOwner(file);
    if (owner !== undefined && isAlive(owner)) throw new DataDirLockedError(file, owner, what, readHolder(file));
    removeIfOwnedBy(file, owner);
    // A racing process may have taken it between our unlink and this create: then it wins.
    if (!tryCreate(file)) throw new DataDirLockedError(file, readOwner(file) ?? -1, what, readHolder(file));
  }
  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      removeIfOwnedBy(file, process.pid);
    },
  };
}

function tryCreate(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    // The pid first (all an older version reads), then who this is.
    writeSync(fd, `${process.pid}\n${holder}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The pid in the lock file; undefined when it is unreadable or garbled (treated as stale). */
function readOwner(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The second line of a lock file: what the holder said it is. */
function readHolder(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').split('\n')[1]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeIfOwnedBy(file: string, pid: number | undefined): void {
  if (readOwner(file) !== pid) return;
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
