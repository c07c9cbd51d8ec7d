import { once } from 'node:events';
import { open, realpath, rename, rm, stat } from 'node:fs/promises';
import { PermanentError } from '../errors.js';

/**
 * Writes `--out` (or stdout without it), stopping between chunks once `signal` aborts.
 *
 * A regular file (or a new one) is written beside itself and renamed over at the end, so a failed
 * or interrupted write leaves the last good file and no partial one; through a symlink, the file
 * it points to. Anything else (/dev/stdout, a FIFO) is written as it is: renaming over it would
 * replace the device.
 */
export async function writeOut(path: string | undefined, chunks: Iterable<string> | AsyncIterable<string>, signal?: AbortSignal): Promise<void> {
  if (path === undefined) {
    for await (const chunk of chunks) {
      signal?.throwIfAborted();
      if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
    }
    return;
  }
  const target = await realpath(path).catch(() => path);
  const existing = await stat(target).catch(() => undefined);
  const direct = existing !== undefined && !existing.isFile();
  const written = direct ? target : `${target}.partial-${process.pid}`;
  const file = await open(written, 'w').catch((err: NodeJS.ErrnoException) => {
    throw new PermanentError(`--out ${path}: cannot write there (${err.code ?? err.message})`);
  });
  try {
    // The replacement keeps the permissions of the file it replaces.
    if (existing && !direct) await file.chmod(existing.mode & 0o7777);
    for await (const chunk of chunks) {
      signal?.throwIfAborted();
      await file.write(chunk);
    }
    await file.close();
    if (!direct) await rename(written, target);
  } catch (err) {
    await file.close().catch(() => {});
    if (!direct) await rm(written, { force: true });
    throw err;
  }
}
