import { createHash, randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { Db } from '../db/client.js';
import { finishRun } from '../db/queries/runs.js';
import { oneLine } from '../errors.js';
import { ownRun, settleAbandonedRuns } from '../runs/ownership.js';
import type { SourceRecord } from '../records/types.js';
import { stageSeeds } from '../staging/seeds.js';
import { stageBatch } from '../staging/stage.js';
import { checkReadable, readRecordFile } from './readers/index.js';

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
 * The id an imported record is stored under. A PMID is the record's own and is kept (a MEDLINE or
 * PubMed XML export then meets the API's records of the same paper by id). Any other id a file
 * gives, a position, a RIS ID tag or a CSV id column, is the file's own numbering: every export
 * starts at 1 and "export.ris" comes back every month, so such a record is known by its content.
 * Importing the same record again finds it; a different record never takes its place.
 */
export function importId(r: SourceRecord): string {
  if (r.pmid && r.sourceId === r.pmid) return r.sourceId;
  const content = JSON.stringify({ ...r, source: '', sourceId: '' });
  return `content:${createHash('sha256').update(content).digest('hex').slice(0, 32)}`;
}

/**
 * Reads export files and stages their records through the same matching as API records. Every
 * file is read before anything is staged, so a bad file fails the import with nothing half done.
 * Records are stored under `importId`. Candidates are staged under a run (trigger 'import') that
 * PRISMA counts and digests announce; seeds are known studies, not records identified by an
 * update, and have none.
 */
export async function importFiles(db: Db, files: string[], opts: ImportOptions): Promise<ImportSummary> {
  await checkReadable(files);
  const records: SourceRecord[] = [];
  for (const file of files) {
    for (const r of await readRecordFile(file, { source: opts.source })) records.push({ ...r, sourceId: importId(r) });
  }
  if (opts.as === 'seeds') return stageAll(db, opts, records, null, files.length);
  const today = new Date().toISOString().slice(0, 10);
  const run = {
    reviewId: opts.reviewId,
    cycleId: randomUUID(),
    source: opts.source,
    trigger: 'import' as const,
    query: files.map((f) => basename(f)).join(', '),
    windowFrom: today,
    windowTo: today,
    identified: records.length,
  };
  await settleAbandonedRuns(db, { reviewId: opts.reviewId, source: opts.source }, 'import');
  return ownRun(db, run, async (owner, runId) => {
    // Each staged batch adds itself to the run's counts (stageBatch), so a run that fails or is
    // killed part way still tells PRISMA what its staged works came from.
    const progress = { identified: records.length, requests: 0, retries: 0 };
    try {
      const summary = await stageAll(owner, opts, records, runId, files.length);
      await finishRun(owner, runId, { status: 'ok', ...progress, warnings: [], error: null });
      return summary;
    } catch (err) {
      // Staged batches stay (staging is idempotent): importing the file again completes it.
      await finishRun(owner, runId, { status: 'failed', ...progress, warnings: [], error: oneLine(err) }).catch(() => {});
      throw err;
    }
  });
}

async function stageAll(db: Db, opts: ImportOptions, records: SourceRecord[], runId: number | null, files: number): Promise<ImportSummary> {
  const summary: ImportSummary = { files, read: records.length, newWorks: 0, duplicates: 0, uncertain: 0 };
  const size = opts.batchSize ?? 500;
  for (let i = 0; i < records.length; i += size) {
    const batch = records.slice(i, i + size);
    const r =
      opts.as === 'seeds'
        ? await stageSeeds(db, opts.reviewId, opts.source, batch.map((record) => ({ record })))
        : await stageBatch(db, { reviewId: opts.reviewId, source: opts.source, runId }, batch);
    summary.newWorks += r.newWorks;
    summary.duplicates += r.duplicates;
    summary.uncertain += r.uncertain;
  }
  return summary;
}

export function importSummaryLine(s: ImportSummary, reviewId: string): string {
  return `${s.read} record(s) read from ${s.files} file(s) into ${reviewId}: ${s.newWorks} new work(s), ${s.duplicates} duplicate(s), ${s.uncertain} uncertain (listed for a maintainer)\n`;
}
