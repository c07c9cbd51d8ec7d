import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import { csvField } from '../exports/csv.js';
import { checkReadable, readRecordFile } from '../imports/readers/index.js';
import type { SourceRecord } from '../records/types.js';
import { dedupeRecords, type UncertainPair } from './cluster.js';
import type { Relation } from './relations.js';
import { type GroupScores, scoreGroups } from './evaluate.js';

/** `record_id,group_id` rows; group ids are 1-based in order of first appearance. */
export function groupsCsv(records: readonly SourceRecord[], groupOf: readonly number[]): string {
  const lines = ['record_id,group_id'];
  records.forEach((r, i) => lines.push(`${csvField(r.sourceId)},${groupOf[i]! + 1}`));
  return `${lines.join('\r\n')}\r\n`;
}

/** Each pair once (the likeliest reading of it), most alike first. */
export function distinctPairs(pairs: readonly UncertainPair[]): UncertainPair[] {
  const best = new Map<string, UncertainPair>();
  for (const p of pairs) {
    const [a, b] = p.a < p.b ? [p.a, p.b] : [p.b, p.a];
    const key = `${a}:${b}`;
    if ((best.get(key)?.score ?? -1) < p.score) best.set(key, { ...p, a, b });
  }
  return [...best.values()].sort((x, y) => y.score - x.score || x.a - y.a || x.b - y.b);
}

/** `record_id_a,record_id_b,score,reason` rows: the pairs left apart for a person to decide. */
export function uncertainCsv(records: readonly SourceRecord[], pairs: readonly UncertainPair[]): string {
  const lines = ['record_id_a,record_id_b,score,reason'];
  for (const p of pairs) lines.push([records[p.a]!.sourceId, records[p.b]!.sourceId, p.score.toFixed(3), p.reason].map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export interface GroupLink {
  group: number;
  type: Relation['type'];
  related: number;
}

/** Record links lifted to the groups holding them, each once: a notice or preprint and its work. */
export function groupLinks(groupOf: readonly number[], relations: readonly Relation[]): GroupLink[] {
  const links = new Map<string, GroupLink>();
  for (const { from, to, type } of relations) {
    const [group, related] = [groupOf[from]!, groupOf[to]!];
    if (group !== related) links.set(`${group}:${type}:${related}`, { group, type, related });
  }
  return [...links.values()].sort((x, y) => x.group - y.group || x.related - y.related);
}

/** `group_id,relation,related_group_id` rows, group ids as in `groupsCsv`. */
export function relationsCsv(links: readonly GroupLink[]): string {
  const lines = ['group_id,relation,related_group_id', ...links.map((l) => `${l.group + 1},${l.type},${l.related + 1}`)];
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * Labelled groups from a CSV: either this command's own output shape (`record_id,group_id`) or
 * BibDedupe's `merged_ids` (one row per group, ids separated by ";"). Ids not listed are singletons.
 */
export function parseTruth(text: string, file: string): Map<string, string> {
  const rows = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  const header = new Map(Object.keys(rows[0] ?? {}).map((h) => [h.toLowerCase(), h]));
  const truth = new Map<string, string>();
  const merged = header.get('merged_ids');
  const id = ['record_id', 'id'].map((h) => header.get(h)).find(Boolean);
  const group = ['group_id', 'duplicate_id', 'group'].map((h) => header.get(h)).find(Boolean);
  if (merged) {
    rows.forEach((row, i) => {
      for (const rid of (row[merged] ?? '').split(';').map((s) => s.trim()).filter(Boolean)) truth.set(rid, `g${i}`);
    });
  } else if (id && group) {
    for (const row of rows) if (row[id]) truth.set(row[id]!, `g${row[group] ?? ''}`);
  } else {
    throw new Error(`${file}: a truth file needs a merged_ids column, or record_id and group_id columns; found ${[...header.values()].join(', ') || 'no header'}`);
  }
  return truth;
}

/** Each record's true group label; a record the truth does not list is a group of its own. */
export function truthLabels(truth: ReadonlyMap<string, string>, records: readonly SourceRecord[]): string[] {
  return records.map((r) => truth.get(r.sourceId) ?? `single:${r.sourceId}`);
}

export interface DedupeSummary {
  records: number;
  groups: number;
  /** Pairs left apart for a person to decide. */
  uncertain: number;
  /** Links between groups (notices, versions). */
  relations: number;
  /** Ids given to more than one record: their rows are told apart only by their order. */
  repeatedIds: string[];
  /** Present when a truth file was given. */
  scores?: GroupScores;
}

/** The standalone `dedupe` command: read files, group duplicates, write CSV to `out` or stdout. */
export async function runDedupe(
  files: string[],
  opts: { out?: string; idColumn?: string; truth?: string; uncertain?: string; relations?: string },
): Promise<DedupeSummary> {
  await checkReadable(opts.truth ? [...files, opts.truth] : files);
  const records: SourceRecord[] = [];
  // Position ids are prefixed by the file name, or by the path as given where two names are alike.
  const names = files.map((f) => basename(f));
  for (const [i, file] of files.entries()) {
    const name = names.indexOf(names[i]!) === names.lastIndexOf(names[i]!) ? names[i]! : file;
    records.push(...(await readRecordFile(file, { source: name, idPrefix: files.length > 1 ? `${name}:` : '', idColumn: opts.idColumn })));
  }
  // Read before the work, so a bad truth file fails fast.
  const truth = opts.truth ? parseTruth(await readFile(opts.truth, 'utf8'), opts.truth) : undefined;
  const result = dedupeRecords(records);
  const csv = groupsCsv(records, result.groupOf);
  if (opts.out) await writeFile(opts.out, csv, 'utf8');
  else process.stdout.write(csv);
  const asked = distinctPairs(result.uncertainPairs);
  if (opts.uncertain) await writeFile(opts.uncertain, uncertainCsv(records, asked), 'utf8');
  const links = groupLinks(result.groupOf, result.relations);
  if (opts.relations) await writeFile(opts.relations, relationsCsv(links), 'utf8');
  const scores = truth ? scoreGroups(result.groupOf, truthLabels(truth, records)) : undefined;
  return { records: records.length, groups: result.groups.length, uncertain: asked.length, relations: links.length, repeatedIds: repeated(records), ...(scores ? { scores } : {}) };
}

/** Record ids that stand on more than one row of the output (an id column repeated across files). */
function repeated(records: SourceRecord[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const r of records) (seen.has(r.sourceId) ? twice : seen).add(r.sourceId);
  return [...twice];
}

/** The metrics the benchmark reports, as lines for a terminal. */
export function formatScores(s: GroupScores): string {
  const f3 = (x: number) => x.toFixed(3);
  return [
    `records ${s.records}, removable duplicates in the truth ${s.trueDuplicates}`,
    `pairs: precision ${f3(s.pairPrecision)}, recall ${f3(s.pairRecall)}`,
    `duplicates removed ${s.removed}, correctly ${s.removedCorrectly}: precision ${f3(s.recordPrecision)}, recall ${f3(s.recordRecall)}`,
    `false merges ${s.falseMerges} (${s.falseMergesPer2000.toFixed(2)} per 2,000 records)`,
  ].join('\n');
}
