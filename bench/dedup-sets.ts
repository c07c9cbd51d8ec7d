// Loads the labelled deduplication sets from ../shared/dedup (never copied into the project).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { readCsv } from '../src/imports/readers/csv.js';
import type { SourceRecord } from '../src/records/types.js';

export const SHARED_DEDUP = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'dedup');

export interface LabelledSet {
  name: string;
  /** Used to choose thresholds; the others are held out. */
  training: boolean;
  records: SourceRecord[];
  /** Per record: the true group label, or (IEBH) whether it is in some duplicate set. */
  truth: { kind: 'groups'; groupOf: string[] } | { kind: 'flags'; flagged: boolean[] };
}

const GROUP_SETS: Array<[name: string, dir: string, training: boolean]> = [
  ['cytology', 'bibdedupe_benchmark/cytology_screening', true],
  ['haematology', 'bibdedupe_benchmark/haematology', false],
  ['respiratory', 'bibdedupe_benchmark/respiratory', true],
  ['stroke', 'bibdedupe_benchmark/stroke', false],
  ['digital_work', 'bibdedupe_benchmark/digital_work', true],
  ['special_cases', 'bibdedupe_benchmark/special_cases', false],
  ['misq_baseline', 'mis_quarterly_crossref_dblp_pdf/baseline', true],
  ['misq_mixed', 'mis_quarterly_crossref_dblp_pdf/mixed', false],
];
const FLAG_SETS: Array<[name: string, file: string, training: boolean]> = [
  ['iebh_copper', 'iebh_deduplicator/copper.csv', false],
  ['iebh_tafenoquine', 'iebh_deduplicator/tafenoquine.csv', false],
];

export function labelledSetsAvailable(): boolean {
  return existsSync(join(SHARED_DEDUP, 'PROVENANCE.md'));
}

export function loadLabelledSets(): LabelledSet[] {
  const sets: LabelledSet[] = [];
  for (const [name, dir, training] of GROUP_SETS) {
    const records = readCsv(readFileSync(join(SHARED_DEDUP, dir, 'records_pre_merged.csv'), 'utf8'), { source: name, idColumn: 'ID' });
    const rows = parse(readFileSync(join(SHARED_DEDUP, dir, 'merged_record_ids.csv'), 'utf8'), { columns: true }) as Array<{ merged_ids: string }>;
    const label = new Map<string, string>();
    for (const row of rows) for (const id of row.merged_ids.split(';')) label.set(id.trim(), row.merged_ids);
    sets.push({ name, training, records, truth: { kind: 'groups', groupOf: records.map((r) => label.get(r.sourceId) ?? `single:${r.sourceId}`) } });
  }
  for (const [name, file, training] of FLAG_SETS) {
    const text = readFileSync(join(SHARED_DEDUP, file), 'utf8');
    const records = readCsv(text, { source: name, idColumn: 'rec_number' });
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    const flag = new Map(rows.map((r) => [r.rec_number!, /^(1|true|yes|duplicate)$/i.test(r.gold_is_duplicate ?? '')]));
    sets.push({ name, training, records, truth: { kind: 'flags', flagged: records.map((r) => flag.get(r.sourceId) ?? false) } });
  }
  return sets;
}
