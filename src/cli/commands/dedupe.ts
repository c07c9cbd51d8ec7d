import { Command } from 'commander';
import { formatScores, runDedupe } from '../../dedup/command.js';

export function dedupeCommand(): Command {
  return new Command('dedupe')
    .description('standalone, no database: read records and write CSV record_id,group_id (one row per input record)')
    .argument('<files...>', 'RIS, MEDLINE/nbib, PubMed XML, EndNote XML, Web of Science or CSV files')
    .option('--out <file>', 'write the CSV to a file instead of stdout')
    .option('--id-column <name>', 'CSV column holding record ids')
    .option('--truth <file>', 'labelled groups (record_id,group_id or a merged_ids column): print precision, recall and false merges to stderr')
    .option('--uncertain <file>', 'write the pairs left apart for a person to decide as CSV record_id_a,record_id_b,score,reason')
    .option('--relations <file>', 'write the links between groups (erratum-for, retraction-of, expression-of-concern-for, version-of) as CSV group_id,relation,related_group_id')
    .action(async (files: string[], opts: { out?: string; idColumn?: string; truth?: string; uncertain?: string; relations?: string }) => {
      const { records, groups, uncertain, relations, repeatedIds, scores } = await runDedupe(files, opts);
      if (repeatedIds.length) {
        const some = repeatedIds.slice(0, 5).join(', ') + (repeatedIds.length > 5 ? ', ...' : '');
        process.stderr.write(`living-review: warning: ${repeatedIds.length} record id(s) stand for more than one record (${some}); their rows are told apart only by their order\n`);
      }
      if (opts.out) process.stderr.write(`${records} record(s) in ${groups} group(s) written to ${opts.out}\n`);
      if (opts.uncertain) process.stderr.write(`${uncertain} uncertain pair(s) written to ${opts.uncertain}\n`);
      if (opts.relations) process.stderr.write(`${relations} link(s) between groups written to ${opts.relations}\n`);
      if (scores) process.stderr.write(`${formatScores(scores)}\n`);
    });
}
