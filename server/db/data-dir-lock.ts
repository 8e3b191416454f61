import { mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

// PGlite takes no lock on its data dir (pglite#323, #1106): two processes would both open it
// and corrupt it. A lock file holding the owner's pid refuses the second process.

export const LOCK_FILE_NAME = 'gatehouse.lock';

/** Another live process holds the data dir. */
export class DataDirLockedError extends Error {
  readonly code = 'DATA_DIR_LOCKED';
  constructor(
    readonly lockFile: string,
    readonly pid: number,
  ) {
    super(
      `The data dir is in use by process ${pid} (lock file ${lockFile}). ` +
        'Stop that process first; if no such process runs any more, delete the lock file.',
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
 * never collides with the database's lock.
 */
export function acquireDataDirLock(dataDir: string, fileName: string = LOCK_FILE_NAME): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, fileName);
  if (!tryCreate(file)) {
    const owner = readOwner(file);
    if (owner !== undefined && isAlive(owner)) throw new DataDirLockedError(file, owner);
    removeIfOwnedBy(file, owner);
    // A racing process may have taken it between our unlink and this create: then it wins.
    if (!tryCreate(file)) throw new DataDirLockedError(file, readOwner(file) ?? -1);
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
    writeSync(fd, `${process.pid}\n`);
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
