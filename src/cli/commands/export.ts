import { once } from 'node:events';
import { open, realpath, rename, rm, stat } from 'node:fs/promises';
import { Command } from 'commander';
import { loadContext, openDbContext } from '../../context.js';
import { candidatePages, type StatusFilter } from '../../db/queries/candidates.js';
import { WORK_STATUSES } from '../../db/schema/index.js';
import { EXPORT_FORMATS, exportChunks, type ExportFormat } from '../../exports/index.js';
import { PermanentError } from '../../errors.js';
import { oneOf } from '../options.js';

export function exportCommand(): Command {
  return new Command('export')
    .description('write candidates (one row per deduplicated work); stdout without --out')
    .requiredOption('--format <format>', EXPORT_FORMATS.join('|'), oneOf(EXPORT_FORMATS))
    .option('--status <status>', `${WORK_STATUSES.join('|')}|all`, oneOf([...WORK_STATUSES, 'all'] as const), 'all')
    .option('--review <id>', 'review id (optional when one protocol is configured)')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (opts: { format: ExportFormat; status: StatusFilter; review?: string; out?: string }) => {
      const ctx = await openDbContext(loadContext());
      try {
        const protocol = ctx.protocol(opts.review);
        const chunks = exportChunks(opts.format, candidatePages(ctx.database.db, protocol.id, opts.status));
        if (opts.out) await writeExport(opts.out, chunks);
        else for await (const chunk of chunks) if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
      } finally {
        await ctx.close();
      }
    });
}

/**
 * A regular file (or a new one) is written beside itself and renamed over at the end, so a failed
 * export leaves the last good file; through a symlink, the file it points to. Anything else
 * (/dev/stdout, a FIFO) is written as it is: renaming over it would replace the device.
 */
async function writeExport(path: string, chunks: AsyncIterable<string>): Promise<void> {
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
    for await (const chunk of chunks) await file.write(chunk);
    await file.close();
    if (!direct) await rename(written, target);
  } catch (err) {
    await file.close().catch(() => {});
    if (!direct) await rm(written, { force: true });
    throw err;
  }
}
