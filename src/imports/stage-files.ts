import { basename } from 'node:path';
import type { Db } from '../db/client.js';
import type { SourceRecord } from '../records/types.js';
import { stageSeeds } from '../staging/seeds.js';
import { stageBatch } from '../staging/stage.js';
import { readRecordFile } from './readers/index.js';

export interface ImportOptions {
  reviewId: string;
  /** Source name the records are staged under, e.g. "cinahl". */
  source: string;
  as: 'candidates' | 'seeds';
  batchSize?: number;
}

export interface ImportSummary {
  files: number;
  read: number;
  newWorks: number;
  duplicates: number;
  uncertain: number;
}

/**
 * Reads export files and stages their records through the same matching as API records. Records
 * without an id of their own are keyed by file name and position, so importing a file again
 * stages nothing new while two files never share an id.
 */
export async function importFiles(db: Db, files: string[], opts: ImportOptions): Promise<ImportSummary> {
  const summary: ImportSummary = { files: files.length, read: 0, newWorks: 0, duplicates: 0, uncertain: 0 };
  const size = opts.batchSize ?? 500;
  for (const file of files) {
    const records = await readRecordFile(file, { source: opts.source, idPrefix: `${basename(file)}:` });
    summary.read += records.length;
    for (let i = 0; i < records.length; i += size) {
      const batch = records.slice(i, i + size);
      const r = await stage(db, opts, batch);
      summary.newWorks += r.newWorks;
      summary.duplicates += r.duplicates;
      summary.uncertain += r.uncertain;
    }
  }
  return summary;
}

function stage(db: Db, opts: ImportOptions, batch: SourceRecord[]) {
  return opts.as === 'seeds'
    ? stageSeeds(db, opts.reviewId, opts.source, batch.map((record) => ({ record })))
    : stageBatch(db, { reviewId: opts.reviewId, source: opts.source, runId: null }, batch);
}

export function importSummaryLine(s: ImportSummary, reviewId: string): string {
  return `${s.read} record(s) read from ${s.files} file(s) into ${reviewId}: ${s.newWorks} new work(s), ${s.duplicates} duplicate(s), ${s.uncertain} uncertain (listed for a maintainer)\n`;
}
