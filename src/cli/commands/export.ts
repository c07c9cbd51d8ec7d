import { Command } from 'commander';
import { loadContext, openDbContext } from '../../context.js';
import { candidatePages, type StatusFilter } from '../../db/queries/candidates.js';
import { WORK_STATUSES } from '../../db/schema/index.js';
import { EXPORT_FORMATS, exportChunks, type ExportFormat } from '../../exports/index.js';
import { interruptible } from '../interrupt.js';
import { oneOf } from '../options.js';
import { writeOut } from '../write-out.js';

export function exportCommand(): Command {
  return new Command('export')
    .description('write candidates (one row per deduplicated work); stdout without --out')
    .requiredOption('--format <format>', EXPORT_FORMATS.join('|'), oneOf(EXPORT_FORMATS))
    .option('--status <status>', `${WORK_STATUSES.join('|')}|all`, oneOf([...WORK_STATUSES, 'all'] as const), 'all')
    .option('--review <id>', 'review id (optional when one protocol is configured)')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (opts: { format: ExportFormat; status: StatusFilter; review?: string; out?: string }) => {
      const ctx = await openDbContext(loadContext());
      const interrupt = interruptible();
      try {
        const protocol = ctx.protocol(opts.review);
        await writeOut(opts.out, exportChunks(opts.format, candidatePages(ctx.database.db, protocol.id, opts.status)), interrupt.signal);
      } finally {
        interrupt.release();
        await ctx.close();
      }
    });
}
