import { Command } from 'commander';
import { runDedupe } from '../../dedup/command.js';

export function dedupeCommand(): Command {
  return new Command('dedupe')
    .description('standalone, no database: read records and write CSV record_id,group_id (one row per input record)')
    .argument('<files...>', 'RIS, MEDLINE/nbib, PubMed XML or CSV files')
    .option('--out <file>', 'write the CSV to a file instead of stdout')
    .option('--id-column <name>', 'CSV column holding record ids')
    .action(async (files: string[], opts: { out?: string; idColumn?: string }) => {
      const { records, groups } = await runDedupe(files, opts);
      if (opts.out) process.stderr.write(`${records} record(s) in ${groups} group(s) written to ${opts.out}\n`);
    });
}
