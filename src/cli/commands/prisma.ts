import { Command } from 'commander';
import { loadContext, openDbContext } from '../../context.js';
import { prismaInputs } from '../../db/queries/prisma.js';
import { prismaReport } from '../../prisma/counts.js';
import { renderPrismaSvg } from '../../prisma/svg.js';
import { oneOf } from '../options.js';
import { writeOut } from '../write-out.js';

export function prismaCommand(): Command {
  return new Command('prisma')
    .description('PRISMA 2020 counts for the living review: per update run and cumulative')
    .option('--review <id>', 'review id (optional when one protocol is configured)')
    .option('--format <format>', 'json|svg (svg: the cumulative flow diagram)', oneOf(['json', 'svg'] as const), 'json')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (opts: { review?: string; format: 'json' | 'svg'; out?: string }) => {
      const ctx = await openDbContext(loadContext());
      try {
        const protocol = ctx.protocol(opts.review);
        const inputs = await prismaInputs(ctx.database.db, protocol.id);
        const report = prismaReport(protocol.id, protocol.original_search.included ?? (inputs.seeds || null), inputs.runs, inputs.worksByRun);
        const text =
          opts.format === 'json'
            ? JSON.stringify(report, null, 2) + '\n'
            : renderPrismaSvg(`${protocol.title}: living update`, report.previousStudies, report.cumulative);
        await writeOut(opts.out, [text]);
      } finally {
        await ctx.close();
      }
    });
}
