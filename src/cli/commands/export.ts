import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { loadContext, openDbContext } from '../../context.js';
import { listCandidates, type StatusFilter } from '../../db/queries/candidates.js';
import { WORK_STATUSES } from '../../db/schema/index.js';
import { EXPORT_FORMATS, renderExport, type ExportFormat } from '../../exports/index.js';
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
        const text = renderExport(opts.format, await listCandidates(ctx.database.db, protocol.id, opts.status));
        if (opts.out) writeFileSync(opts.out, text);
        else process.stdout.write(text);
      } finally {
        await ctx.close();
      }
    });
}
