// What the labels of each set ask of any matcher, in counts only (no record is printed, so the
// held-out half stays unread): `npx tsx bench/dedup-label-profile.ts`.
//
// "No evidence" duplicates: within each labelled group, records are linked when they share a DOI,
// have titles at least half alike (trigram Dice >= 0.5), or share volume and first page, or volume,
// issue and an author (a PDF whose title was lost). A group
// that falls into c such pieces holds c - 1 duplicates that no matcher can find without guessing;
// 1 - (their sum / all duplicates) bounds the recall of any matcher that needs evidence.
// "Singleton twins": records labelled as singletons whose normalised title, volume and issue equal
// those of a record in a group: a matcher that merges them is counted as making a false merge.
import { normalizeRecord } from '../src/dedup/record.js';
import { authorSimilarity, titleSimilarity } from '../src/dedup/match.js';
import type { NormalizedRecord } from '../src/dedup/record.js';
import { SHARED_DEDUP, labelledSetsAvailable, loadLabelledSets, table } from './dedup-sets.js';

if (!labelledSetsAvailable()) {
  console.log(`labelled sets not found at ${SHARED_DEDUP}`);
  process.exit(0);
}

const linked = (a: NormalizedRecord, b: NormalizedRecord) =>
  (a.doi !== undefined && a.doi === b.doi) ||
  titleSimilarity(a, b) >= 0.5 ||
  (a.volume !== undefined && a.volume === b.volume &&
    ((a.pages !== undefined && a.pages.start === b.pages?.start) || (a.issue !== undefined && a.issue === b.issue && (authorSimilarity(a, b) ?? 0) > 0)));

/** Number of connected pieces of one group under `linked`. */
function pieces(members: NormalizedRecord[]): number {
  const parent = members.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (let i = 0; i < members.length; i++) {
    for (let j = i + 1; j < members.length; j++) if (linked(members[i]!, members[j]!)) parent[find(i)] = find(j);
  }
  return new Set(members.map((_, i) => find(i))).size;
}

const rows: string[][] = [];
for (const set of loadLabelledSets()) {
  if (set.truth.kind !== 'groups') continue;
  const norm = set.records.map(normalizeRecord);
  const groups = new Map<string, number[]>();
  set.truth.groupOf.forEach((g, i) => groups.set(g, [...(groups.get(g) ?? []), i]));
  let dups = 0;
  let noEvidence = 0;
  const grouped = new Set<string>();
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    dups += members.length - 1;
    noEvidence += pieces(members.map((i) => norm[i]!)) - 1;
    for (const i of members) if (norm[i]!.title) grouped.add(`${norm[i]!.title}|${norm[i]!.volume ?? ''}|${norm[i]!.issue ?? ''}`);
  }
  const twins = [...groups.values()].filter(
    (m) => m.length === 1 && norm[m[0]!]!.title && grouped.has(`${norm[m[0]!]!.title}|${norm[m[0]!]!.volume ?? ''}|${norm[m[0]!]!.issue ?? ''}`),
  ).length;
  rows.push([set.name, String(set.records.length), String(dups), String(noEvidence), (1 - noEvidence / Math.max(dups, 1)).toFixed(3), String(twins)]);
}
table(['set', 'records', 'labelled dups', 'no-evidence dups', 'recall bound', 'singleton twins'], rows);
