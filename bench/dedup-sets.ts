// Loads the labelled deduplication sets from ../shared/dedup (never copied into the project).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { readCsv } from '../src/imports/readers/csv.js';
import { parseTruth, truthLabels } from '../src/dedup/command.js';
import { type FlagScores, type GroupScores, scoreFlags, scoreGroups } from '../src/dedup/evaluate.js';
import type { SourceRecord } from '../src/records/types.js';

export const SHARED_DEDUP = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'dedup');

export interface LabelledSet {
  name: string;
  records: SourceRecord[];
  /** Per record: in the training half (rules may be tuned on its errors) or held out. */
  training: boolean[];
  /** Per record: the true group label, or (IEBH) whether it is in some duplicate set. */
  truth: { kind: 'groups'; groupOf: string[] } | { kind: 'flags'; flagged: boolean[] };
}

const GROUP_SETS: Array<[name: string, dir: string]> = [
  ['cytology', 'bibdedupe_benchmark/cytology_screening'],
  ['haematology', 'bibdedupe_benchmark/haematology'],
  ['respiratory', 'bibdedupe_benchmark/respiratory'],
  ['stroke', 'bibdedupe_benchmark/stroke'],
  ['digital_work', 'bibdedupe_benchmark/digital_work'],
  ['special_cases', 'bibdedupe_benchmark/special_cases'],
  ['misq_baseline', 'mis_quarterly_crossref_dblp_pdf/baseline'],
  ['misq_mixed', 'mis_quarterly_crossref_dblp_pdf/mixed'],
];
const FLAG_SETS: Array<[name: string, file: string]> = [
  ['iebh_copper', 'iebh_deduplicator/copper.csv'],
  ['iebh_tafenoquine', 'iebh_deduplicator/tafenoquine.csv'],
];

/**
 * Stable half split of every set by record id: the first SHA-1 byte even is training. Rules are
 * tuned only on errors whose records are all in the training half; the other half is held out.
 */
export function inTrainingHalf(recordId: string): boolean {
  return createHash('sha1').update(recordId).digest()[0]! % 2 === 0;
}

export function labelledSetsAvailable(): boolean {
  return existsSync(join(SHARED_DEDUP, 'PROVENANCE.md'));
}

export function loadLabelledSets(): LabelledSet[] {
  const sets: LabelledSet[] = [];
  for (const [name, dir] of GROUP_SETS) {
    const records = readCsv(readFileSync(join(SHARED_DEDUP, dir, 'records_pre_merged.csv'), 'utf8'), { source: name, idColumn: 'ID' });
    const labels = join(SHARED_DEDUP, dir, 'merged_record_ids.csv');
    const truth = parseTruth(readFileSync(labels, 'utf8'), labels);
    sets.push({ name, records, training: records.map((r) => inTrainingHalf(r.sourceId)), truth: { kind: 'groups', groupOf: truthLabels(truth, records) } });
  }
  for (const [name, file] of FLAG_SETS) {
    const text = readFileSync(join(SHARED_DEDUP, file), 'utf8');
    const records = readCsv(text, { source: name, idColumn: 'rec_number' });
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    const flag = new Map(rows.map((r) => [r.rec_number!, /^(1|true|yes|duplicate)$/i.test(r.gold_is_duplicate ?? '')]));
    sets.push({ name, records, training: records.map((r) => inTrainingHalf(r.sourceId)), truth: { kind: 'flags', flagged: records.map((r) => flag.get(r.sourceId) ?? false) } });
  }
  return sets;
}

export type Part = 'train' | 'held-out' | 'all';
export type PartScores = { kind: 'groups'; scores: GroupScores } | { kind: 'flags'; scores: FlagScores };

/**
 * Scores one half (or all) of a set. Group sets: duplicate pairs that straddle the halves count in
 * 'all' only. Flag sets have no group ids, so a half counts its records in groups formed over all.
 */
export function scorePart(set: LabelledSet, groupOf: readonly number[], part: Part): PartScores {
  const keep = (i: number) => part === 'all' || set.training[i] === (part === 'train');
  const { truth } = set;
  if (truth.kind === 'flags') return { kind: 'flags', scores: scoreFlags(groupOf, truth.flagged, set.records.map((_, i) => keep(i))) };
  const idx = set.records.map((_, i) => i).filter(keep);
  return { kind: 'groups', scores: scoreGroups(idx.map((i) => groupOf[i]!), idx.map((i) => truth.groupOf[i]!)) };
}

/** Prints a Markdown table. */
export function table(head: string[], body: string[][]): void {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(w[i]!)).join(' | ')} |`;
  console.log(['', line(head), `|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`, ...body.map(line), ''].join('\n'));
}
