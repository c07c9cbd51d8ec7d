// One process at a time on an embedded (PGlite) data directory. PGlite is Postgres in single-user
// mode and takes no lock of its own on the Node filesystem: two processes opening one directory
// both succeed, both write, and the directory is left unreadable (electric-sql/pglite#1106). So
// `serve` and `run --once` on the embedded default must not overlap; a second opener is refused,
// naming the holder, before PGlite touches the files.
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { RetryableError } from '../errors.js';

interface Holder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export interface DirLock {
  readonly path: string;
  /** Removes the lock if it is still this process's; safe to call twice. */
  release(): void;
}

function readHolder(path: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    return typeof h.pid === 'number' ? { pid: h.pid, host: String(h.host), command: String(h.command), since: String(h.since) } : undefined;
  } catch {
    return undefined;
  }
}

/** A process of this machine that exists (EPERM: it exists, owned by someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function inUse(dir: string, lockPath: string, h: Holder): RetryableError {
  const who = `process ${h.pid}${h.host === hostname() ? '' : ` on ${h.host}`} (${h.command}, since ${h.since})`;
  return new RetryableError(
    `the embedded database ${dir} is in use by ${who}; PGlite serves one process at a time, so stop that one first, ` +
      `or set DATABASE_URL to a PostgreSQL server that several processes can share` +
      (h.host === hostname() ? '' : `; if that process is gone, delete ${lockPath}`),
  );
}

/**
 * Takes `<dir>.lock` for this process or throws naming the process that holds it. A lock whose
 * process has died (killed, crashed) is taken over.
 */
export function lockDataDir(dir: string, command: string): DirLock {
  const path = `${dir}.lock`;
  const mine: Holder = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
  // Written whole, then linked into place: the lock never exists half-written, and link fails if it exists.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(mine));
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw err;
      }
      const holder = readHolder(path);
      if (holder && (holder.host !== mine.host || alive(holder.pid))) throw inUse(dir, path, holder);
      // Dead or unreadable: move it aside (only one racer's rename finds it), then check that what
      // was moved is what was judged stale, and put back a live lock taken meanwhile.
      const aside = `${path}.stale.${process.pid}`;
      try {
        renameSync(path, aside);
      } catch {
        continue;
      }
      const moved = readHolder(aside);
      if (moved && moved.pid !== holder?.pid && alive(moved.pid)) {
        linkSync(aside, path);
        unlinkSync(aside);
        throw inUse(dir, path, moved);
      }
      unlinkSync(aside);
    }
  } finally {
    unlinkSync(tmp);
  }
  const release = () => {
    if (readHolder(path)?.pid === process.pid) unlinkSync(path);
    process.off('exit', release);
  };
  process.on('exit', release);
  return { path, release };
}
