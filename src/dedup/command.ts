import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { csvField } from '../exports/csv.js';
import { readRecordFile } from '../imports/readers/index.js';
import type { SourceRecord } from '../records/types.js';
import { dedupeRecords } from './cluster.js';

/** `record_id,group_id` rows; group ids are 1-based in order of first appearance. */
export function groupsCsv(records: readonly SourceRecord[], groupOf: readonly number[]): string {
  const lines = ['record_id,group_id'];
  records.forEach((r, i) => lines.push(`${csvField(r.sourceId)},${groupOf[i]! + 1}`));
  return `${lines.join('\r\n')}\r\n`;
}

/** The standalone `dedupe` command: read files, group duplicates, write CSV to `out` or stdout. */
export async function runDedupe(files: string[], opts: { out?: string; idColumn?: string }): Promise<{ records: number; groups: number }> {
  const records: SourceRecord[] = [];
  for (const file of files) {
    const name = basename(file);
    records.push(
      ...(await readRecordFile(file, { source: name, idPrefix: files.length > 1 ? `${name}:` : '', idColumn: opts.idColumn })),
    );
  }
  const result = dedupeRecords(records);
  const csv = groupsCsv(records, result.groupOf);
  if (opts.out) await writeFile(opts.out, csv, 'utf8');
  else process.stdout.write(csv);
  return { records: records.length, groups: result.groups.length };
}
