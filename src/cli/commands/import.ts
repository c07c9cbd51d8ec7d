import { Command, InvalidArgumentError } from 'commander';
import { loadContext, openDbContext } from '../../context.js';
import { importFiles, importSummaryLine } from '../../imports/stage-files.js';
import { refreshRelevance } from '../../ranking/update.js';
import { oneOf } from '../options.js';

/** Shown in status, exports (`sources`) and PRISMA: a name, not blank or a list. */
function sourceName(value: string): string {
  const name = value.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/.test(name)) throw new InvalidArgumentError('expected a database name such as cinahl (letters, digits, space . _ -)');
  return name;
}

export function importCommand(): Command {
  return new Command('import')
    .description('read RIS, MEDLINE/nbib, PubMed XML, EndNote XML, Web of Science or CSV exports and stage them through deduplication')
    .argument('<files...>', 'export files')
    .requiredOption('--source <name>', 'source name the records are staged under, e.g. cinahl', sourceName)
    .option('--review <id>', 'review id (optional when one protocol is configured)')
    .option('--as <what>', 'candidates or seeds (the original review\'s included studies)', oneOf(['candidates', 'seeds'] as const), 'candidates')
    .action(async (files: string[], opts: { source: string; review?: string; as: 'candidates' | 'seeds' }) => {
      const app = loadContext();
      const protocol = app.protocol(opts.review);
      const ctx = await openDbContext(app);
      try {
        const summary = await importFiles(ctx.database.db, files, { reviewId: protocol.id, source: opts.source, as: opts.as });
        process.stdout.write(importSummaryLine(summary, protocol.id));
        // As a cycle does: new works get a score now, not at the bottom of the queue until the next one.
        await refreshRelevance(ctx.database.db, protocol.id, ctx.log);
      } finally {
        await ctx.close();
      }
    });
}
