import { once } from 'node:events';
import { open, rename, rm } from 'node:fs/promises';
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
        if (opts.out) await writeFileAtomically(opts.out, chunks);
        else for await (const chunk of chunks) if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
      } finally {
        await ctx.close();
      }
    });
}

/** Written beside the target and renamed over it at the end: a failed export leaves the last good file. */
async function writeFileAtomically(path: string, chunks: AsyncIterable<string>): Promise<void> {
  const partial = `${path}.partial-${process.pid}`;
  const file = await open(partial, 'w').catch((err: NodeJS.ErrnoException) => {
    throw new PermanentError(`--out ${path}: cannot write there (${err.code ?? err.message})`);
  });
  try {
    for await (const chunk of chunks) await file.write(chunk);
    await file.close();
    await rename(partial, path);
  } catch (err) {
    await file.close().catch(() => {});
    await rm(partial, { force: true });
    throw err;
  }
}
